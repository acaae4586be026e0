#include "emit/cpp_names.hpp"

#include <algorithm>
#include <array>

namespace modelc {
namespace {

// C++20 keywords and alternative tokens, sorted.
constexpr std::array<std::string_view, 92> kKeywords = {
    "alignas",       "alignof",     "and",
    "and_eq",        "asm",         "auto",
    "bitand",        "bitor",       "bool",
    "break",         "case",        "catch",
    "char",          "char16_t",    "char32_t",
    "char8_t",       "class",       "co_await",
    "co_return",     "co_yield",    "compl",
    "concept",       "const",       "const_cast",
    "consteval",     "constexpr",   "constinit",
    "continue",      "decltype",    "default",
    "delete",        "do",          "double",
    "dynamic_cast",  "else",        "enum",
    "explicit",      "export",      "extern",
    "false",         "float",       "for",
    "friend",        "goto",        "if",
    "inline",        "int",         "long",
    "mutable",       "namespace",   "new",
    "noexcept",      "not",         "not_eq",
    "nullptr",       "operator",    "or",
    "or_eq",         "private",     "protected",
    "public",        "register",    "reinterpret_cast",
    "requires",      "return",      "short",
    "signed",        "sizeof",      "static",
    "static_assert", "static_cast", "struct",
    "switch",        "template",    "this",
    "thread_local",  "throw",       "true",
    "try",           "typedef",     "typeid",
    "typename",      "union",       "unsigned",
    "using",         "virtual",     "void",
    "volatile",      "wchar_t",     "while",
    "xor",           "xor_eq"};

// Identifiers with a special meaning in some contexts.
constexpr std::array<std::string_view, 4> kContextual = {"final", "import", "module", "override"};

// Public and protected members of modelc::Model (runtime/include/modelc/model.hpp)
// but its constructor, sorted; the `names` test suite checks them against the header.
constexpr std::array<std::string_view, 45> kModelMembers = {"MemoryUse",
                                                            "ScratchFloats",
                                                            "adam_step",
                                                            "backward",
                                                            "dropout_on",
                                                            "dropout_seed",
                                                            "dw",
                                                            "forward",
                                                            "forward_train",
                                                            "gradients",
                                                            "inf",
                                                            "init_weights",
                                                            "input_grad",
                                                            "input_size",
                                                            "layer",
                                                            "layer_seconds",
                                                            "layers",
                                                            "load_weights",
                                                            "loss_and_grad",
                                                            "mask",
                                                            "max_batch",
                                                            "memory_use",
                                                            "name",
                                                            "num_outputs",
                                                            "output",
                                                            "output_size",
                                                            "params",
                                                            "prep",
                                                            "prepare",
                                                            "prepare_weights",
                                                            "reset_profile",
                                                            "run_backward",
                                                            "run_inference",
                                                            "run_training",
                                                            "save_weights",
                                                            "scratch",
                                                            "set_profiling",
                                                            "sgd_step",
                                                            "target_size",
                                                            "train_output",
                                                            "train_step",
                                                            "trn",
                                                            "w",
                                                            "want_input_grad",
                                                            "weights_changed"};

// The generated class's own members, the file-local tables of the generated
// .cpp and the names it writes unqualified, sorted.
constexpr std::array<std::string_view, 11> kGenerated = {
    "int64_t", "kInputShape", "kInputSize",     "kLayers", "kOutputs", "kParams",
    "kSpec",   "modelc",      "scratch_floats", "size_t",  "std"};

bool is_keyword(std::string_view s) {
  return std::binary_search(kKeywords.begin(), kKeywords.end(), s);
}

bool reserved_to_implementation(std::string_view s) {
  return s.find("__") != std::string_view::npos ||
         (s.size() > 1 && s[0] == '_' && s[1] >= 'A' && s[1] <= 'Z');
}

std::string common_reason(std::string_view s) {
  if (is_keyword(s)) return "a C++ keyword";
  if (std::find(kContextual.begin(), kContextual.end(), s) != kContextual.end())
    return "an identifier with special meaning in C++";
  if (reserved_to_implementation(s))
    return "reserved to the C++ implementation (it contains '__' or starts with '_' and a capital)";
  return "";
}

}  // namespace

std::string reserved_class_name(std::string_view name) {
  if (std::string r = common_reason(name); !r.empty()) return r;
  if (std::binary_search(kModelMembers.begin(), kModelMembers.end(), name))
    return "a member of modelc::Model, the generated class's base: the class's name would hide it";
  if (std::binary_search(kGenerated.begin(), kGenerated.end(), name))
    return "a name that generated code uses for something else";
  return "";
}

std::string reserved_namespace_component(std::string_view component, bool first) {
  if (std::string r = common_reason(component); !r.empty()) return r;
  if (component == "std" || component == "int64_t" || component == "size_t")
    return "a name that generated code uses for something else";
  if (component == "modelc" && !first)
    return "the runtime's namespace, which generated code writes as modelc:: (only the outermost "
           "component may be modelc)";
  return "";
}

}  // namespace modelc
