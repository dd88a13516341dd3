#pragma once
// Facts about the ONNX wire format and the limits Kiln's reader and writer hold to.
#include <cstddef>
#include <cstdint>

namespace kiln::onnx_io {

// Newest IR version Kiln knows (ONNX 1.23). Newer fields of known versions travel as unknown
// fields; a newer version may change meaning, so it is refused.
constexpr int64_t kMaxIrVersion = 14;

// Protobuf's default nesting limit; it also bounds how deep subgraphs can nest in a file that
// parses (each level is graph -> node -> attribute -> graph).
constexpr int kProtoRecursionLimit = 100;
constexpr int kMaxSubgraphDepth = 32;

// Read size for parsing from a file descriptor.
constexpr int kReadBlockBytes = 1 << 20;

// Field numbers of ONNX fields that Kiln's IR models but the compiled (older) schema does not
// know, or that the schema knows but the IR keeps only as wire bytes.
constexpr int kNodeOverload = 8;                  // NodeProto.overload (IR 10)
constexpr int kNodeMetadataProps = 9;             // NodeProto.metadata_props (IR 10)
constexpr int kGraphQuantizationAnnotation = 14;  // GraphProto.quantization_annotation
constexpr int kGraphSparseInitializer = 15;       // GraphProto.sparse_initializer
constexpr int kGraphMetadataProps = 16;           // GraphProto.metadata_props (IR 10)
constexpr int kGraphInitializer = 5;              // GraphProto.initializer
constexpr int kModelGraph = 7;                    // ModelProto.graph

// Node metadata key under which a rewritten model's provenance travels in a file: the ids, in the
// original model's import order, of the nodes each node came from ("4,5"). Import turns it back
// into Node::provenance, so per-original-node profiles work on an optimized file.
constexpr const char* kProvenanceKey = "kiln.provenance";
constexpr int kTensorRawData = 9;                 // TensorProto.raw_data

// Protobuf messages cannot exceed 2 GB.
constexpr int64_t kMaxProtoBytes = INT32_MAX;

}  // namespace kiln::onnx_io
