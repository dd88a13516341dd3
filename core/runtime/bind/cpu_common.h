#pragma once
// Shared pieces of the Backend::Cpu bindings (bind/cpu_*.cpp): the thread pool for a context,
// the reference kernel every Cpu kernel keeps for what it does not accelerate (other element
// types, unusual attributes or broadcasts), constant-input detection and the Kiln activation
// attributes as a kernel epilogue.
#include <memory>

#include "core/runtime/bind/bind_util.h"
#include "kernels/cpu/aligned_buffer.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/epilogue.h"
#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu_bind {

inline cpu::ThreadPool& pool_of(KernelContext& ctx) { return cpu::ThreadPool::shared(ctx.threads()); }

// The Ref kernel for the node (built now, so it also validates the attributes at compile time).
std::shared_ptr<OpKernel> ref_kernel(const KernelInit& init);

// Whether input i is constant (an initializer that is not an overridable graph input).
bool constant_input(const Node& n, size_t i);

// The epilogue activation of a Kiln fused op ("activation", "activation_params").
cpu::Epilogue read_activation(const Node& n);

bool all_f32(std::initializer_list<const RtTensor*> ts);

// A constant operand packed once, on first use, and repacked only if its storage changes.
struct PackedConstant {
  const void* source = nullptr;
  cpu::AlignedBuffer buffer;
};

void register_cpu_gemm_kernels(KernelRegistry& r);         // bind/cpu_gemm.cpp: Gemm, MatMul, FusedGemm, FusedMatMul
void register_cpu_conv_kernels(KernelRegistry& r);         // bind/cpu_conv.cpp: Conv, FusedConv
void register_cpu_attention_kernels(KernelRegistry& r);    // bind/cpu_attention.cpp: ai.kiln Attention
void register_cpu_elementwise_kernels(KernelRegistry& r);  // bind/cpu_elementwise.cpp: activations, Exp, Erf, Add/Sub/Mul/Div
void register_cpu_norm_kernels(KernelRegistry& r);         // bind/cpu_norm.cpp: Softmax, LayerNormalization
void register_cpu_pool_kernels(KernelRegistry& r);         // bind/cpu_pool.cpp: MaxPool, AveragePool, GlobalAveragePool

}  // namespace kiln::cpu_bind
