#pragma once
// Wire-level helpers that make a round trip lossless across ONNX versions. This build compiles
// against an older ONNX schema, so fields of newer models (node overload and metadata_props, graph
// metadata_props, model configuration, ...) arrive as protobuf "unknown fields". The IR keeps
// them as serialized wire bytes; fields the IR has no slot for (a graph's sparse initializers and
// quantization annotations) are stashed in the same bytes, since the wire format concatenates.
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

namespace kiln::onnx_io {

// The message's unknown fields in wire format ("" when there are none); clears them.
std::string take_unknown_fields(google::protobuf::Message& message);

// Removes the length-delimited unknown fields numbered `number` and returns their payloads, for
// fields the IR models but this schema does not (e.g. NodeProto.overload = 8).
std::vector<std::string> take_unknown_payloads(google::protobuf::Message& message, int number);

// Appends a length-delimited field to wire bytes.
void append_length_delimited(std::string& wire, int number, std::string_view payload);

// Merges saved wire bytes into the message: fields this schema knows become real fields again,
// the rest are kept as unknown fields and written out verbatim. Throws kiln::Error naming `what`
// if the bytes are not valid wire format.
void restore_fields(const std::string& wire, google::protobuf::Message& message, std::string_view what);

}  // namespace kiln::onnx_io
