// dedup-initializers: readers of an initializer whose contents another initializer already
// holds read that one instead, and the copy goes.
#include <cstring>
#include <functional>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "passes/cleanup/captured_names.h"
#include "passes/cleanup/cleanup_passes.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {
namespace {

bool same_contents(const Tensor& a, const Tensor& b) {
  if (a.dtype != b.dtype || a.dims != b.dims) return false;
  if (a.dtype == DataType::String) return a.strings == b.strings;
  if (a.data == b.data) return true;
  return a.byte_size() == b.byte_size() && (a.byte_size() == 0 || std::memcmp(a.raw(), b.raw(), a.byte_size()) == 0);
}

size_t content_hash(const Tensor& t) {
  if (t.dtype != DataType::String)
    return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(t.raw()), t.byte_size()));
  size_t h = 0;
  for (const std::string& s : t.strings) h = h * 1000003u ^ std::hash<std::string>{}(s);
  return h;
}

void run(PassContext& ctx) {
  const std::vector<Graph*> graphs = ctx.rw.graphs();
  for (auto it = graphs.rbegin(); it != graphs.rend(); ++it) {
    Graph* g = *it;
    const CapturedNames captured(*g);
    // Grouped by type and size first, so only tensors that could be equal get hashed: most
    // weights have a shape no other weight has.
    using Kind = std::tuple<DataType, std::vector<int64_t>, size_t>;
    std::map<Kind, std::vector<Value*>> by_kind;
    for (Value* v : g->initializers())
      if (const Tensor* t = v->constant()) by_kind[{t->dtype, t->dims, t->byte_size()}].push_back(v);
    for (auto& [kind, values] : by_kind) {
      if (values.size() < 2) continue;
      std::unordered_map<size_t, std::vector<Value*>> kept;
      for (Value* v : values) {
        const Tensor& t = *v->constant();
        std::vector<Value*>& bucket = kept[content_hash(t)];
        Value* same = nullptr;
        for (Value* k : bucket)
          if (same_contents(*k->constant(), t)) same = k;
        if (!same) {
          bucket.push_back(v);
          continue;
        }
        if (!captured.can_replace(v, same)) continue;
        const auto bytes = static_cast<int64_t>(t.byte_size());
        ctx.rw.replace_uses(v, same);
        ctx.rw.remove_value(v);
        ctx.stats.add("initializers_removed");
        ctx.stats.add("bytes_saved", bytes);
      }
    }
  }
}

}  // namespace

void register_dedup_initializers(PassRegistry& r) {
  r.add({{"dedup-initializers",
          PassCategory::Cleanup,
          "Merge initializers with identical contents",
          "Initializers of the same type, shape and bytes become one: readers of each copy read the "
          "first, and the copies are removed. Initializers that are graph inputs (overridable "
          "defaults) or graph outputs, and copies a subgraph reads by name, are left alone. Each "
          "graph is deduplicated on its own.",
          {},
          {{"initializers_removed", "initializers removed"}, {"bytes_saved", "bytes of weights saved"}}},
         run});
}

}  // namespace kiln::passes
