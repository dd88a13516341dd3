#include "core/onnx/tensor_proto.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "core/onnx/unknown_fields.h"
#include "core/util/error.h"

namespace kiln::onnx_io {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; Kiln keeps it as is");

namespace {

constexpr int64_t kMaxDensifiedBytes = int64_t{256} << 20;

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

// Alignment a typed read of this element type needs; views into mapped files are only handed
// out when they have it.
size_t element_alignment(DataType t) {
  int bytes = dtype_bits(t) / 8;
  return static_cast<size_t>(std::clamp(bytes, 1, 8));
}

// Packs a typed repeated field into little-endian element bytes, then frees the field.
template <class Out, class In, class Convert>
std::shared_ptr<const Buffer> pack(google::protobuf::RepeatedField<In>* field, int64_t expected,
                                   std::string_view field_name, const Tensor& t, std::string_view what,
                                   Convert convert) {
  if (field->size() != expected)
    fail(what, ": ", field_name, " holds ", std::to_string(field->size()), " values but ",
         dtype_name(t.dtype), " dims ", dims_text(t.dims), " need ", std::to_string(expected));
  std::vector<uint8_t> bytes(static_cast<size_t>(expected) * sizeof(Out));
  for (int i = 0; i < field->size(); ++i) {
    Out v = convert(field->Get(i));
    std::memcpy(bytes.data() + static_cast<size_t>(i) * sizeof(Out), &v, sizeof(Out));
  }
  google::protobuf::RepeatedField<In>().Swap(field);
  return Buffer::adopt(std::move(bytes));
}

template <class Out>
auto cast_to() {
  return [](auto v) { return static_cast<Out>(v); };
}

std::shared_ptr<const Buffer> pack_typed(onnx::TensorProto& p, const Tensor& t, int64_t numel,
                                         int64_t storage_bytes, std::string_view what) {
  switch (t.dtype) {
    case DataType::Float32:
      return pack<float>(p.mutable_float_data(), numel, "float_data", t, what, cast_to<float>());
    case DataType::Complex64:
      return pack<float>(p.mutable_float_data(), 2 * numel, "float_data", t, what, cast_to<float>());
    case DataType::Float64:
      return pack<double>(p.mutable_double_data(), numel, "double_data", t, what, cast_to<double>());
    case DataType::Complex128:
      return pack<double>(p.mutable_double_data(), 2 * numel, "double_data", t, what, cast_to<double>());
    case DataType::Int64:
      return pack<int64_t>(p.mutable_int64_data(), numel, "int64_data", t, what, cast_to<int64_t>());
    case DataType::UInt32:
      return pack<uint32_t>(p.mutable_uint64_data(), numel, "uint64_data", t, what, cast_to<uint32_t>());
    case DataType::UInt64:
      return pack<uint64_t>(p.mutable_uint64_data(), numel, "uint64_data", t, what, cast_to<uint64_t>());
    case DataType::Int32:
      return pack<int32_t>(p.mutable_int32_data(), numel, "int32_data", t, what, cast_to<int32_t>());
    // 16-bit types (float16 and bfloat16 as bit patterns) travel one per int32.
    case DataType::Int16: case DataType::UInt16: case DataType::Float16: case DataType::BFloat16:
      return pack<uint16_t>(p.mutable_int32_data(), numel, "int32_data", t, what, cast_to<uint16_t>());
    case DataType::Bool:
      return pack<uint8_t>(p.mutable_int32_data(), numel, "int32_data", t, what,
                           [](int32_t v) { return static_cast<uint8_t>(v != 0); });
    case DataType::Int8: case DataType::UInt8: case DataType::Float8E4M3FN: case DataType::Float8E4M3FNUZ:
    case DataType::Float8E5M2: case DataType::Float8E5M2FNUZ:
      return pack<uint8_t>(p.mutable_int32_data(), numel, "int32_data", t, what, cast_to<uint8_t>());
    // 4-bit types: each int32 holds one byte of two packed elements.
    case DataType::UInt4: case DataType::Int4: case DataType::Float4E2M1:
      return pack<uint8_t>(p.mutable_int32_data(), storage_bytes, "int32_data", t, what, cast_to<uint8_t>());
    case DataType::String: case DataType::Undefined:
      break;
  }
  fail(what, ": element type ", dtype_name(t.dtype), " has no typed data field");
}

void check_dims(const Tensor& t, std::string_view what) {
  for (int64_t d : t.dims)
    if (d < 0) fail(what, ": negative dimension in dims ", dims_text(t.dims));
  if (t.numel() < 0) fail(what, ": dims ", dims_text(t.dims), " overflow the element count");
}

}  // namespace

std::shared_ptr<const Tensor> tensor_from_proto(onnx::TensorProto& p, ExternalDataReader* external,
                                                std::string_view what) {
  auto t = std::make_shared<Tensor>();
  t->name = p.name();
  t->doc_string = p.doc_string();
  int32_t code = p.data_type();
  if (!dtype_is_known(code)) fail(what, ": unknown element type ", std::to_string(code));
  t->dtype = static_cast<DataType>(code);
  t->dims.assign(p.dims().begin(), p.dims().end());
  check_dims(*t, what);
  int64_t numel = t->numel();
  t->unknown_fields = take_unknown_fields(p);
  // Kiln has no use for segments (chunks of one tensor spread over several protos) but keeps them.
  if (p.has_segment()) append_length_delimited(t->unknown_fields, 3, p.segment().SerializeAsString());

  bool is_external = p.data_location() == onnx::TensorProto_DataLocation_EXTERNAL;
  if (t->dtype == DataType::String) {
    if (is_external || p.has_raw_data()) fail(what, ": a string tensor must keep its elements in string_data");
    if (p.string_data_size() != numel)
      fail(what, ": string_data holds ", std::to_string(p.string_data_size()), " strings but dims ",
           dims_text(t->dims), " need ", std::to_string(numel));
    t->strings.reserve(static_cast<size_t>(numel));
    for (std::string& s : *p.mutable_string_data()) t->strings.push_back(std::move(s));
    p.clear_string_data();
    return t;
  }

  int64_t expected = dtype_storage_bytes(t->dtype, numel);
  if (expected < 0) fail(what, ": dims ", dims_text(t->dims), " overflow the byte size");
  if (is_external) {
    auto info = std::make_shared<ExternalDataInfo>(external_info_from_proto(p, what));
    if (!external) {
      t->data = Buffer::copy(nullptr, 0);
    } else {
      t->data = external->read(*info, what, element_alignment(t->dtype));
      if (static_cast<int64_t>(t->data->size()) != expected)
        fail(what, ": external data is ", std::to_string(t->data->size()), " bytes but ",
             dtype_name(t->dtype), " dims ", dims_text(t->dims), " need ", std::to_string(expected));
    }
    t->external = std::move(info);
    return t;
  }
  if (p.has_raw_data()) {
    if (static_cast<int64_t>(p.raw_data().size()) != expected)
      fail(what, ": raw_data is ", std::to_string(p.raw_data().size()), " bytes but ", dtype_name(t->dtype),
           " dims ", dims_text(t->dims), " need ", std::to_string(expected));
    std::unique_ptr<std::string> raw(p.release_raw_data());
    t->data = Buffer::adopt(std::move(*raw));
    return t;
  }
  t->data = pack_typed(p, *t, numel, expected, what);
  return t;
}

std::shared_ptr<const Tensor> tensor_from_sparse_proto(onnx::SparseTensorProto& p, ExternalDataReader* external,
                                                       std::string_view what) {
  auto values = tensor_from_proto(*p.mutable_values(), external, what);
  std::string indices_what = std::string(what) + " indices";
  auto indices = tensor_from_proto(*p.mutable_indices(), external, indices_what);

  auto t = std::make_shared<Tensor>();
  t->name = values->name;
  t->doc_string = values->doc_string;
  t->dtype = values->dtype;
  t->dims.assign(p.dims().begin(), p.dims().end());
  check_dims(*t, what);
  int bits = dtype_bits(t->dtype);
  if (bits < 8) fail(what, ": sparse ", dtype_name(t->dtype), " tensors are not supported");
  int64_t dense_bytes = dtype_storage_bytes(t->dtype, t->numel());
  if (dense_bytes < 0 || dense_bytes > kMaxDensifiedBytes)
    fail(what, ": sparse tensor of dims ", dims_text(t->dims), " is too large to make dense (over ",
         std::to_string(kMaxDensifiedBytes >> 20), " MiB)");
  if (values->dims.size() != 1) fail(what, ": sparse values must be 1-D, got dims ", dims_text(values->dims));
  int64_t nnz = values->dims[0];
  auto elem = static_cast<size_t>(bits / 8);
  if (values->byte_size() != static_cast<size_t>(nnz) * elem) fail(what, ": sparse values were not loaded");
  if (indices->dtype != DataType::Int64) fail(what, ": sparse indices must be int64");
  auto rank = static_cast<int64_t>(t->dims.size());
  bool linear = indices->dims.size() == 1;
  if (!(linear && indices->dims[0] == nnz) &&
      !(indices->dims.size() == 2 && indices->dims[0] == nnz && indices->dims[1] == rank))
    fail(what, ": sparse indices dims ", dims_text(indices->dims), " do not fit ", std::to_string(nnz),
         " values of rank ", std::to_string(rank));
  if (indices->byte_size() != static_cast<size_t>(indices->numel()) * sizeof(int64_t))
    fail(what, ": sparse indices were not loaded");

  std::vector<uint8_t> dense(static_cast<size_t>(dense_bytes), 0);
  const uint8_t* idx = indices->raw();
  auto index_at = [&](int64_t k) {
    int64_t v;
    std::memcpy(&v, idx + static_cast<size_t>(k) * sizeof(v), sizeof(v));
    return v;
  };
  int64_t numel = t->numel();
  for (int64_t k = 0; k < nnz; ++k) {
    int64_t pos = 0;
    if (linear) {
      pos = index_at(k);
      if (pos < 0 || pos >= numel) fail(what, ": sparse index ", std::to_string(pos), " is out of range");
    } else {
      for (int64_t d = 0; d < rank; ++d) {
        int64_t c = index_at(k * rank + d);
        if (c < 0 || c >= t->dims[static_cast<size_t>(d)])
          fail(what, ": sparse coordinate ", std::to_string(c), " is out of range for dims ", dims_text(t->dims));
        pos = pos * t->dims[static_cast<size_t>(d)] + c;
      }
    }
    std::memcpy(dense.data() + static_cast<size_t>(pos) * elem, values->raw() + static_cast<size_t>(k) * elem, elem);
  }
  t->data = Buffer::adopt(std::move(dense));
  return t;
}

void tensor_header_to_proto(const Tensor& t, onnx::TensorProto& p) {
  if (!t.name.empty()) p.set_name(t.name);
  p.set_data_type(static_cast<int32_t>(t.dtype));
  for (int64_t d : t.dims) p.add_dims(d);
  if (!t.doc_string.empty()) p.set_doc_string(t.doc_string);
  restore_fields(t.unknown_fields, p, "tensor '" + t.name + "'");
}

size_t checked_data_size(const Tensor& t, std::string_view what) {
  if (t.dtype == DataType::String) {
    if (static_cast<int64_t>(t.strings.size()) != t.numel())
      fail(what, ": holds ", std::to_string(t.strings.size()), " strings but dims ", dims_text(t.dims), " need ",
           std::to_string(t.numel()));
    return 0;
  }
  int64_t expected = dtype_storage_bytes(t.dtype, t.numel());
  if (expected < 0) fail(what, ": element type ", dtype_name(t.dtype), " with dims ", dims_text(t.dims), " has no size");
  if (static_cast<int64_t>(t.byte_size()) != expected) {
    if (t.external && t.byte_size() == 0)
      fail(what, ": its external data ('", t.external->location,
           "') was not loaded; reload the model with external data to export it");
    fail(what, ": holds ", std::to_string(t.byte_size()), " bytes but ", dtype_name(t.dtype), " dims ",
         dims_text(t.dims), " need ", std::to_string(expected));
  }
  return static_cast<size_t>(expected);
}

void tensor_to_proto(const Tensor& t, onnx::TensorProto& p, std::string_view what) {
  tensor_header_to_proto(t, p);
  size_t bytes = checked_data_size(t, what);
  if (t.dtype == DataType::String) {
    for (const std::string& s : t.strings) p.add_string_data(s);
    return;
  }
  if (bytes > 0) p.set_raw_data(t.raw(), bytes);
}

}  // namespace kiln::onnx_io
