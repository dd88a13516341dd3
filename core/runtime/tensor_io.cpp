#include "core/runtime/tensor_io.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <onnx/onnx_pb.h>

#include "core/onnx/tensor_proto.h"
#include "core/util/error.h"

namespace kiln {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(path, ": read error");
  return ss.str();
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, ": cannot create file");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(path, ": write error");
}

struct NpyType {
  char kind;
  int size;
  DataType dtype;
};

constexpr NpyType kNpyTypes[] = {
    {'f', 4, DataType::Float32}, {'f', 8, DataType::Float64}, {'f', 2, DataType::Float16},
    {'i', 1, DataType::Int8},    {'i', 2, DataType::Int16},   {'i', 4, DataType::Int32},
    {'i', 8, DataType::Int64},   {'u', 1, DataType::UInt8},   {'u', 2, DataType::UInt16},
    {'u', 4, DataType::UInt32},  {'u', 8, DataType::UInt64},  {'b', 1, DataType::Bool},
};

// The value text of 'key' in a NumPy header dict (e.g. "'<f4'", "False", "(1, 3)").
std::string dict_value(const std::string& header, const std::string& key, const std::string& path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(path, ": .npy header has no '", key, "'");
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) fail(path, ": malformed .npy header");
  size_t b = header.find_first_not_of(' ', colon + 1);
  if (b == std::string::npos) fail(path, ": malformed .npy header");
  size_t e;
  if (header[b] == '(') {
    e = header.find(')', b);
    if (e == std::string::npos) fail(path, ": malformed .npy shape");
    ++e;
  } else if (header[b] == '\'' || header[b] == '"') {
    e = header.find(header[b], b + 1);
    if (e == std::string::npos) fail(path, ": malformed .npy header");
    ++e;
  } else {
    e = header.find_first_of(",}", b);
    if (e == std::string::npos) e = header.size();
  }
  return header.substr(b, e - b);
}

}  // namespace

Tensor read_tensor_pb(const std::string& path) {
  std::string bytes = read_all(path);
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) fail(path, ": not a serialized ONNX TensorProto");
  std::shared_ptr<const Tensor> t;
  try {
    t = onnx_io::tensor_from_proto(proto, nullptr, path);
  } catch (const Error& e) {
    std::string what = e.what();
    if (what.find(path) == std::string::npos) fail(path, ": ", what);
    throw;
  }
  if (t->external) fail(path, ": tensors with external data are not supported here");
  return *t;
}

Tensor read_npy(const std::string& path) {
  std::string bytes = read_all(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail(path, ": not a .npy file (bad magic)");
  int major = static_cast<uint8_t>(bytes[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(path, ": truncated .npy header");
    header_len = 0;
    for (int i = 3; i >= 0; --i) header_len = (header_len << 8) | static_cast<uint8_t>(bytes[8 + i]);
    header_start = 12;
  } else {
    fail(path, ": unsupported .npy format version ", std::to_string(major));
  }
  if (header_start + header_len > bytes.size()) fail(path, ": truncated .npy header");
  std::string header = bytes.substr(header_start, header_len);

  std::string descr = dict_value(header, "descr", path);
  if (descr.size() < 4) fail(path, ": unsupported .npy dtype ", descr);
  std::string code = descr.substr(1, descr.size() - 2);  // strip quotes
  char order = code[0];
  if (code.size() < 3) fail(path, ": unsupported .npy dtype ", descr);
  char kind = code[1];
  int size = std::atoi(code.c_str() + 2);
  if (order == '>' && size > 1) fail(path, ": big-endian .npy data is not supported (", descr, ")");
  const NpyType* type = nullptr;
  for (const NpyType& t : kNpyTypes)
    if (t.kind == kind && t.size == size) type = &t;
  if (!type) fail(path, ": unsupported .npy dtype ", descr);

  if (dict_value(header, "fortran_order", path) != "False")
    fail(path, ": Fortran-order .npy data is not supported");
  std::string shape_text = dict_value(header, "shape", path);
  std::vector<int64_t> dims;
  for (size_t i = 1; i < shape_text.size();) {
    size_t e = shape_text.find_first_of(",)", i);
    std::string item = shape_text.substr(i, e - i);
    size_t b = item.find_first_not_of(' ');
    if (b != std::string::npos) {
      char* end = nullptr;
      long long v = std::strtoll(item.c_str() + b, &end, 10);
      if (v < 0 || (*end && *end != ' ' && *end != 'L')) fail(path, ": malformed .npy shape ", shape_text);
      dims.push_back(v);
    }
    if (e == std::string::npos) break;
    i = e + 1;
  }

  Tensor t;
  t.name = std::filesystem::path(path).stem().string();
  t.dtype = type->dtype;
  t.dims = dims;
  int64_t n = t.numel();
  int64_t need = n < 0 ? -1 : dtype_storage_bytes(t.dtype, n);
  size_t data_start = header_start + header_len;
  if (need < 0 || bytes.size() - data_start < static_cast<size_t>(need))
    fail(path, ": .npy data is shorter than its shape ", shape_text, " needs");
  bytes.erase(0, data_start);
  bytes.resize(static_cast<size_t>(need));
  t.data = Buffer::adopt(std::move(bytes));
  return t;
}

Tensor read_tensor_file(const std::string& path) {
  if (!std::filesystem::exists(path)) fail(path, ": no such file");
  if (std::filesystem::path(path).extension() == ".npy") return read_npy(path);
  return read_tensor_pb(path);
}

void write_tensor_pb(const Tensor& t, const std::string& path) {
  onnx::TensorProto proto;
  onnx_io::tensor_to_proto(t, proto, path);
  write_all(path, proto.SerializeAsString());
}

void write_npy(const Tensor& t, const std::string& path) {
  const NpyType* type = nullptr;
  for (const NpyType& n : kNpyTypes)
    if (n.dtype == t.dtype) type = &n;
  if (!type) fail(path, ": cannot write a ", dtype_name(t.dtype), " tensor as .npy");
  std::string shape = "(";
  for (size_t i = 0; i < t.dims.size(); ++i) shape += std::to_string(t.dims[i]) + (t.dims.size() == 1 || i + 1 < t.dims.size() ? "," : "");
  shape += ")";
  std::string descr = std::string(type->size == 1 ? "|" : "<") + type->kind + std::to_string(type->size);
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  size_t need = onnx_io::checked_data_size(t, path);
  out.append(reinterpret_cast<const char*>(t.raw()), need);
  write_all(path, out);
}

}  // namespace kiln
