#include "core/onnx/external_data.h"

#include <charconv>
#include <cstdint>

#include "core/util/error.h"

namespace kiln::onnx_io {

namespace {

int64_t parse_count(const std::string& text, std::string_view key, std::string_view what) {
  int64_t v = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0)
    fail(what, ": external data ", key, " '", text, "' is not a non-negative integer");
  return v;
}

}  // namespace

ExternalDataInfo external_info_from_proto(const onnx::TensorProto& proto, std::string_view what) {
  ExternalDataInfo info;
  for (const onnx::StringStringEntryProto& e : proto.external_data()) {
    if (e.key() == "location") info.location = e.value();
    else if (e.key() == "offset") info.offset = parse_count(e.value(), "offset", what);
    else if (e.key() == "length") info.length = parse_count(e.value(), "length", what);
    else if (e.key() == "checksum") info.checksum = e.value();
  }
  check_location(info.location, what);
  return info;
}

void check_location(std::string_view location, std::string_view what) {
  if (location.empty()) fail(what, ": external data has no location");
  if (location.front() == '/')
    fail(what, ": external data location '", std::string(location),
         "' is an absolute path; it must be relative to the model's folder");
  size_t start = 0;
  while (start <= location.size()) {
    size_t slash = location.find('/', start);
    if (slash == std::string_view::npos) slash = location.size();
    if (location.substr(start, slash - start) == "..")
      fail(what, ": external data location '", std::string(location), "' escapes the model's folder");
    start = slash + 1;
  }
  if (location.find('\0') != std::string_view::npos)
    fail(what, ": external data location contains a NUL byte");
}

ExternalDataReader::ExternalDataReader(std::string base_dir) : base_dir_(std::move(base_dir)) {}

std::shared_ptr<const Buffer> ExternalDataReader::read(const ExternalDataInfo& info, std::string_view what,
                                                       size_t alignment) {
  if (base_dir_.empty())
    fail(what, ": data is in external file '", info.location,
         "' but the model has no folder to find it in (it was given as bytes)");
  auto it = files_.find(info.location);
  if (it == files_.end()) {
    std::shared_ptr<const MappedFile> file;
    try {
      file = MappedFile::open(base_dir_ + "/" + info.location);
    } catch (const Error& e) {
      fail(what, ": external data file ", e.what());
    }
    it = files_.emplace(info.location, std::move(file)).first;
  }
  const MappedFile& file = *it->second;
  auto size = static_cast<uint64_t>(file.size());
  auto offset = static_cast<uint64_t>(info.offset);
  if (offset > size)
    fail(what, ": external data offset ", std::to_string(offset), " is past the end of '", info.location,
         "' (", std::to_string(size), " bytes)");
  uint64_t length = info.length < 0 ? size - offset : static_cast<uint64_t>(info.length);
  if (length > size - offset)
    fail(what, ": external data out of range: offset ", std::to_string(offset), " + length ",
         std::to_string(length), " is past the end of '", info.location, "' (", std::to_string(size),
         " bytes)");
  const uint8_t* p = file.data() + offset;
  if (alignment > 1 && reinterpret_cast<uintptr_t>(p) % alignment != 0)
    return Buffer::copy(p, static_cast<size_t>(length));
  return Buffer::view(it->second, p, static_cast<size_t>(length));
}

}  // namespace kiln::onnx_io
