// Shape and type rules for the Kiln-domain ops of the patterns passes.
#include "core/analysis/infer_context.h"

namespace kiln::analysis {

void add_kiln_pattern_rules(RuleTable& t) { (void)t; }

}  // namespace kiln::analysis
