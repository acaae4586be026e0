// Which identifiers can name the generated class (the spec's `name:`) and the
// components of its namespace (`generate --namespace`). Generated code writes
// every runtime name qualified (`modelc::Conv2dGeom`), so runtime names are
// fine; what is left are C++ keywords, names reserved to the implementation,
// the members of the class and of its base modelc::Model (a class cannot share
// a name with its members, and its name would hide the inherited ones), and
// the few names generated code uses unqualified (docs/spec-format.md lists them).
#pragma once

#include <string>
#include <string_view>

namespace modelc {

// Why `name` (an identifier) cannot name the generated class, e.g. "a C++
// keyword"; "" when it can.
std::string reserved_class_name(std::string_view name);

// Why `component` cannot be a component of the generated namespace (`first`:
// the outermost one); "" when it can.
std::string reserved_namespace_component(std::string_view component, bool first);

}  // namespace modelc
