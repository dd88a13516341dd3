#pragma once
// A folder of images as model inputs: read (binary and ASCII PPM/PGM, Kiln's own reader; PNG and
// JPEG need a decoder Kiln's core does not link, so they are refused with that reason), resized
// bilinearly to the model's input size, scaled to [0, 1], normalized by mean and std per channel
// and laid out NCHW or NHWC.
#include <cstdint>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/profile/inputs.h"
#include "core/runtime/rt_tensor.h"

namespace kiln::profile {

struct Image {
  int width = 0, height = 0, channels = 0;  // 1 (gray) or 3 (RGB)
  std::vector<float> pixels;                // interleaved, in [0, 1]
};

Image read_pnm(const std::string& path);
// By extension (.ppm .pgm .pnm; .png .jpg .jpeg are refused with the reason).
Image read_image(const std::string& path);
Image resize_bilinear(const Image& img, int width, int height);

enum class ImageLayout { Auto, NCHW, NHWC };

struct ImagePreprocess {
  int width = 0, height = 0;  // 0: from the model's input shape
  ImageLayout layout = ImageLayout::Auto;
  std::vector<float> mean = {0, 0, 0};
  std::vector<float> std = {1, 1, 1};
};

// One [1, C, H, W] or [1, H, W, C] f32 tensor: value = (pixel / 255 - mean[c]) / std[c]. A gray
// image fed to a 3-channel input is replicated; C, H, W and the layout come from `p` or `input`.
RtTensor image_to_tensor(const Image& img, const Value& input, const ImagePreprocess& p);

// The images of a folder (sorted by name), one sample each, fed to the model's single image input
// (the first rank-4 input). Errors name the folder or file and the reason.
std::vector<Sample> load_image_samples(const Graph& g, const std::string& dir, const ImagePreprocess& p);

}  // namespace kiln::profile
