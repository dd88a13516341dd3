#include "core/profile/image_inputs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/util/error.h"

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

// Reads the next header integer, skipping whitespace and '#' comments.
int header_int(const std::string& data, size_t& pos, const std::string& path) {
  while (pos < data.size()) {
    if (data[pos] == '#') {
      while (pos < data.size() && data[pos] != '\n') ++pos;
    } else if (std::isspace(static_cast<unsigned char>(data[pos]))) {
      ++pos;
    } else {
      break;
    }
  }
  size_t start = pos;
  while (pos < data.size() && std::isdigit(static_cast<unsigned char>(data[pos]))) ++pos;
  if (start == pos) fail(path, ": malformed PNM header (expected a number at byte ", std::to_string(start), ")");
  if (pos - start > 9) fail(path, ": PNM header number too large");
  return std::stoi(data.substr(start, pos - start));
}

std::string lower_ext(const std::string& path) {
  std::string e = fs::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

}  // namespace

Image read_pnm(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, ": cannot open");
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() < 2 || data[0] != 'P' || std::string("2356").find(data[1]) == std::string::npos)
    fail(path, ": not a PPM/PGM image (expected P2, P3, P5 or P6 magic)");
  const char kind = data[1];
  size_t pos = 2;
  Image img;
  img.width = header_int(data, pos, path);
  img.height = header_int(data, pos, path);
  const int maxval = header_int(data, pos, path);
  if (img.width <= 0 || img.height <= 0 || img.width > 65536 || img.height > 65536)
    fail(path, ": image size ", std::to_string(img.width), "x", std::to_string(img.height), " out of range");
  if (maxval <= 0 || maxval > 65535) fail(path, ": max value ", std::to_string(maxval), " out of range");
  img.channels = (kind == '3' || kind == '6') ? 3 : 1;
  const size_t count = static_cast<size_t>(img.width) * static_cast<size_t>(img.height) * static_cast<size_t>(img.channels);
  img.pixels.resize(count);
  const float scale = 1.0f / static_cast<float>(maxval);
  if (kind == '5' || kind == '6') {
    ++pos;  // the single whitespace byte after maxval
    const size_t bytes_per = maxval > 255 ? 2 : 1;
    if (data.size() < pos + count * bytes_per)
      fail(path, ": truncated (", std::to_string(data.size() - std::min(pos, data.size())), " pixel bytes, ",
           std::to_string(count * bytes_per), " expected)");
    const auto* p = reinterpret_cast<const unsigned char*>(data.data() + pos);
    for (size_t i = 0; i < count; ++i) {
      const int v = bytes_per == 2 ? (p[2 * i] << 8) | p[2 * i + 1] : p[i];  // 16-bit PNM is big-endian
      img.pixels[i] = std::min(1.0f, static_cast<float>(v) * scale);
    }
  } else {
    for (size_t i = 0; i < count; ++i) img.pixels[i] = std::min(1.0f, static_cast<float>(header_int(data, pos, path)) * scale);
  }
  return img;
}

Image read_image(const std::string& path) {
  const std::string e = lower_ext(path);
  if (e == ".ppm" || e == ".pgm" || e == ".pnm") return read_pnm(path);
  if (e == ".png" || e == ".jpg" || e == ".jpeg")
    fail(path, ": PNG and JPEG need an image decoder that Kiln's core does not link; convert to PPM/PGM "
               "(e.g. 'convert in.png out.ppm')");
  fail(path, ": unknown image type '", e, "' (PPM/PGM are read)");
}

Image resize_bilinear(const Image& img, int width, int height) {
  if (width == img.width && height == img.height) return img;
  Image out;
  out.width = width;
  out.height = height;
  out.channels = img.channels;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(img.channels));
  // Half-pixel centers, as PIL's and OpenCV's bilinear resize use.
  const float sx = static_cast<float>(img.width) / static_cast<float>(width);
  const float sy = static_cast<float>(img.height) / static_cast<float>(height);
  for (int y = 0; y < height; ++y) {
    const float fy = std::clamp((static_cast<float>(y) + 0.5f) * sy - 0.5f, 0.0f, static_cast<float>(img.height - 1));
    const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, img.height - 1);
    const float wy = fy - static_cast<float>(y0);
    for (int x = 0; x < width; ++x) {
      const float fx = std::clamp((static_cast<float>(x) + 0.5f) * sx - 0.5f, 0.0f, static_cast<float>(img.width - 1));
      const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, img.width - 1);
      const float wx = fx - static_cast<float>(x0);
      for (int c = 0; c < img.channels; ++c) {
        auto at = [&](int yy, int xx) {
          return img.pixels[(static_cast<size_t>(yy) * static_cast<size_t>(img.width) + static_cast<size_t>(xx)) *
                                static_cast<size_t>(img.channels) + static_cast<size_t>(c)];
        };
        const float top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        const float bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        out.pixels[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
                       static_cast<size_t>(img.channels) + static_cast<size_t>(c)] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

RtTensor image_to_tensor(const Image& img, const Value& input, const ImagePreprocess& p) {
  std::vector<int64_t> dims = input.type.shape ? input.type.shape->values() : std::vector<int64_t>{};
  if (dims.size() != 4) fail("--images: input '", input.name(), "' is not rank 4 (an image batch)");
  ImageLayout layout = p.layout;
  if (layout == ImageLayout::Auto) {
    if (dims[1] == 1 || dims[1] == 3)
      layout = ImageLayout::NCHW;
    else if (dims[3] == 1 || dims[3] == 3)
      layout = ImageLayout::NHWC;
    else
      fail("--images: cannot tell the layout of input '", input.name(), "' ", input.type.shape->str(),
           " (neither dim 1 nor dim 3 is 1 or 3 channels); give --layout nchw|nhwc");
  }
  const bool nchw = layout == ImageLayout::NCHW;
  const int64_t c = nchw ? dims[1] : dims[3];
  int64_t h = p.height > 0 ? p.height : (nchw ? dims[2] : dims[1]);
  int64_t w = p.width > 0 ? p.width : (nchw ? dims[3] : dims[2]);
  if (c != 1 && c != 3) fail("--images: input '", input.name(), "' has ", std::to_string(c), " channels (1 or 3 supported)");
  if (h <= 0 || w <= 0)
    fail("--images: input '", input.name(), "' has no fixed height and width; give --size HxW");
  if (p.mean.size() != static_cast<size_t>(c) && p.mean.size() != 1)
    fail("--mean: ", std::to_string(p.mean.size()), " values for ", std::to_string(c), " channels");
  if (p.std.size() != static_cast<size_t>(c) && p.std.size() != 1)
    fail("--std: ", std::to_string(p.std.size()), " values for ", std::to_string(c), " channels");
  for (float s : p.std)
    if (s == 0) fail("--std: a standard deviation of 0 would divide by zero");
  const Image r = resize_bilinear(img, static_cast<int>(w), static_cast<int>(h));
  std::vector<int64_t> shape = nchw ? std::vector<int64_t>{1, c, h, w} : std::vector<int64_t>{1, h, w, c};
  RtTensor t = RtTensor::allocate(DataType::Float32, shape);
  float* out = t.data<float>();
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t ch = 0; ch < c; ++ch) {
        // Gray to RGB: replicate; RGB to gray: ITU-R BT.601 luma.
        const size_t px = static_cast<size_t>(y * w + x) * static_cast<size_t>(r.channels);
        float v;
        if (r.channels == c)
          v = r.pixels[px + static_cast<size_t>(ch)];
        else if (r.channels == 1)
          v = r.pixels[px];
        else
          v = 0.299f * r.pixels[px] + 0.587f * r.pixels[px + 1] + 0.114f * r.pixels[px + 2];
        const float m = p.mean.size() == 1 ? p.mean[0] : p.mean[static_cast<size_t>(ch)];
        const float s = p.std.size() == 1 ? p.std[0] : p.std[static_cast<size_t>(ch)];
        const int64_t idx = nchw ? (ch * h + y) * w + x : (y * w + x) * c + ch;
        out[idx] = (v - m) / s;
      }
  return t;
}

std::vector<Sample> load_image_samples(const Graph& g, const std::string& dir, const ImagePreprocess& p) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("--images: '", dir, "' is not a folder");
  const Value* input = nullptr;
  for (const Value* v : g.inputs())
    if (!v->initializer() && v->type.is_tensor() && v->type.shape && v->type.shape->rank() == 4) {
      if (input) fail("--images: the model has more than one rank-4 input ('", input->name(), "', '", v->name(), "')");
      input = v;
    }
  if (!input) fail("--images: the model has no rank-4 input to feed images to");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Sample> out;
  for (const fs::path& f : files) {
    Sample s;
    s[input->name()] = image_to_tensor(read_image(f.string()), *input, p);
    out.push_back(std::move(s));
  }
  if (out.empty()) fail("--images: '", dir, "' holds no image files");
  return out;
}

}  // namespace kiln::profile
