#pragma once
// Exporter-like models of any size for the layout benchmark and the view tests: the node names,
// scopes and long edges look like torch.onnx output, the weights are tiny so a 50,000-node model
// builds in a blink.
//   transformer: embedding, then blocks of attention (+ a mask read by every block: a long edge)
//                and feed-forward with residual adds, ~31 nodes a block;
//   resnet:      Conv/BatchNorm/Relu stages with residual branches, 7 nodes a block.
#include <string>

#include "core/builder/model_builder.h"

namespace kiln::bench {

inline Model synthetic_transformer(size_t target_nodes, int64_t hidden = 16) {
  ModelBuilder b("synthetic_transformer");
  const int64_t seq = 8, heads = 2, head_dim = hidden / heads;
  Value* ids = b.input("input_ids", DataType::Int64, std::vector<int64_t>{1, seq});
  Value* mask = b.input("attention_mask", DataType::Float32, std::vector<int64_t>{1, 1, seq, seq});
  Value* x = b.op("Gather", {b.random_init("embeddings.word.weight", {64, hidden}), ids}, {}, "/embeddings/Gather");
  x = b.op("Add", {x, b.random_init("embeddings.position", {1, seq, hidden})}, {}, "/embeddings/Add");
  Value* split_heads = b.ints("split_heads_shape", {1, seq, heads, head_dim});
  Value* merge_heads = b.ints("merge_heads_shape", {1, seq, hidden});
  Value* scale = b.scalar("attention_scale", 2.8284f);
  for (int layer = 0; b.graph().node_count() + 31 <= target_nodes || layer == 0; ++layer) {
    const std::string s = "/encoder/layer." + std::to_string(layer);
    const std::string w = "encoder.layer." + std::to_string(layer);
    auto linear = [&](Value* in, const std::string& scope, const std::string& name, int64_t out) {
      Value* y = b.op("MatMul", {in, b.random_init(w + "." + name + ".weight", {hidden, out})}, {},
                      scope + "/" + name + "/MatMul");
      return b.op("Add", {y, b.random_init(w + "." + name + ".bias", {out})}, {}, scope + "/" + name + "/Add");
    };
    auto layernorm = [&](Value* in, const std::string& scope) {
      return b.op("LayerNormalization",
                  {in, b.random_init(w + scope.substr(s.size()) + ".ln.weight", {hidden}), b.random_init(w + scope.substr(s.size()) + ".ln.bias", {hidden})},
                  {attr::i("axis", -1)}, scope + "/LayerNormalization");
    };
    const std::string a = s + "/attention";
    Value* h = layernorm(x, a);
    auto head = [&](const std::string& name, std::vector<int64_t> perm) {
      Value* y = linear(h, a, name, hidden);
      y = b.op("Reshape", {y, split_heads}, {}, a + "/" + name + "/Reshape");
      return b.op("Transpose", {y}, {attr::ints("perm", perm)}, a + "/" + name + "/Transpose");
    };
    Value* q = head("query", {0, 2, 1, 3});
    Value* k = head("key", {0, 2, 3, 1});
    Value* v = head("value", {0, 2, 1, 3});
    Value* scores = b.op("MatMul", {q, k}, {}, a + "/MatMul");
    scores = b.op("Div", {scores, scale}, {}, a + "/Div");
    scores = b.op("Add", {scores, mask}, {}, a + "/Add");
    scores = b.op("Softmax", {scores}, {attr::i("axis", -1)}, a + "/Softmax");
    Value* ctx = b.op("MatMul", {scores, v}, {}, a + "/MatMul_1");
    ctx = b.op("Transpose", {ctx}, {attr::ints("perm", {0, 2, 1, 3})}, a + "/Transpose");
    ctx = b.op("Reshape", {ctx, merge_heads}, {}, a + "/Reshape");
    ctx = linear(ctx, a, "output", hidden);
    x = b.op("Add", {x, ctx}, {}, a + "/residual/Add");
    const std::string f = s + "/ffn";
    Value* y = layernorm(x, f);
    y = linear(y, f, "intermediate", hidden * 4);
    y = b.op("Relu", {y}, {}, f + "/Relu");
    y = b.op("MatMul", {y, b.random_init(w + ".ffn.out.weight", {hidden * 4, hidden})}, {}, f + "/output/MatMul");
    y = b.op("Add", {y, b.random_init(w + ".ffn.out.bias", {hidden})}, {}, f + "/output/Add");
    x = b.op("Add", {x, y}, {}, f + "/residual/Add");
  }
  b.output(b.op("ReduceMean", {x}, {attr::ints("axes", {1}), attr::i("keepdims", 0)}, "/pooler/ReduceMean"),
           DataType::Float32, {Dim::known(1), Dim::known(hidden)});
  return b.take();
}

inline Model synthetic_resnet(size_t target_nodes, int64_t channels = 8) {
  ModelBuilder b("synthetic_resnet");
  Value* x = b.input("image", DataType::Float32, std::vector<int64_t>{1, channels, 16, 16});
  auto conv_bn = [&](Value* in, const std::string& scope) {
    Value* y = b.conv(in, b.random_init(scope + ".weight", {channels, channels, 3, 3}), nullptr, {3, 3}, {1, 1},
                      {1, 1, 1, 1}, 1, "/" + scope + "/conv/Conv");
    return b.batchnorm(y, b.random_uniform_init(scope + ".bn.scale", {channels}, 0.5f, 1.5f),
                       b.random_init(scope + ".bn.bias", {channels}), b.random_init(scope + ".bn.mean", {channels}),
                       b.random_uniform_init(scope + ".bn.var", {channels}, 0.5f, 1.5f), 1e-5f,
                       "/" + scope + "/bn/BatchNormalization");
  };
  for (int block = 0; b.graph().node_count() + 7 <= target_nodes || block == 0; ++block) {
    const std::string s = "layer" + std::to_string(block / 8) + "/block." + std::to_string(block % 8);
    Value* y = b.op("Relu", {conv_bn(x, s + "/a")}, {}, "/" + s + "/a/Relu");
    y = conv_bn(y, s + "/b");
    x = b.op("Relu", {b.op("Add", {x, y}, {}, "/" + s + "/Add")}, {}, "/" + s + "/Relu");
  }
  b.output(b.op("GlobalAveragePool", {x}, {}, "/head/GlobalAveragePool"), DataType::Float32,
           {Dim::known(1), Dim::known(channels), Dim::known(1), Dim::known(1)});
  return b.take();
}

}  // namespace kiln::bench
