#include "core/onnx/unknown_fields.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>

#include "core/util/error.h"

namespace kiln::onnx_io {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

std::string take_unknown_fields(google::protobuf::Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  UnknownFieldSet* set = reflection->MutableUnknownFields(&message);
  std::string wire;
  if (set->empty()) return wire;
  set->SerializeToString(&wire);
  set->Clear();
  return wire;
}

std::vector<std::string> take_unknown_payloads(google::protobuf::Message& message, int number) {
  std::vector<std::string> payloads;
  UnknownFieldSet* set = message.GetReflection()->MutableUnknownFields(&message);
  if (set->empty()) return payloads;
  UnknownFieldSet rest;
  for (int i = 0; i < set->field_count(); ++i) {
    const UnknownField& f = set->field(i);
    if (f.number() == number && f.type() == UnknownField::TYPE_LENGTH_DELIMITED)
      payloads.push_back(f.length_delimited());
    else
      rest.AddField(f);
  }
  if (!payloads.empty()) set->Swap(&rest);
  return payloads;
}

void append_length_delimited(std::string& wire, int number, std::string_view payload) {
  using google::protobuf::io::CodedOutputStream;
  uint32_t tag = (static_cast<uint32_t>(number) << 3) | 2u;
  uint8_t head[2 * 10];
  uint8_t* end = CodedOutputStream::WriteVarint32ToArray(tag, head);
  end = CodedOutputStream::WriteVarint64ToArray(payload.size(), end);
  wire.append(reinterpret_cast<const char*>(head), static_cast<size_t>(end - head));
  wire.append(payload);
}

void restore_fields(const std::string& wire, google::protobuf::Message& message, std::string_view what) {
  if (wire.empty()) return;
  if (!message.MergeFromString(wire))
    fail("the saved fields of ", what, " are not valid protobuf wire format");
}

}  // namespace kiln::onnx_io
