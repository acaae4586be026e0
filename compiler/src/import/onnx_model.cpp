// Reading an ONNX file: protobuf parse, ONNX's checker and shape inference,
// tensors (raw, typed or external data) and the folding of constant nodes.
#include "import/onnx_model.hpp"

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>

#include "import/onnx_import.hpp"

namespace modelc::onnx_import {

int64_t Const::count() const {
  int64_t c = 1;
  for (int64_t d : dims) c *= d;
  return c;
}

namespace {

constexpr int64_t kMaxTensorElements = int64_t{1} << 31;  // 8 GiB of float32
// Tensors the folder makes from shapes and attributes (ConstantOfShape, a
// broadcast, a Gather, a Concat) are shapes and small constants in real models.
constexpr int64_t kMaxFoldElements = int64_t{1} << 24;

void check_fold_size(const std::vector<int64_t>& dims, const std::string& op);

[[noreturn]] void fail(const std::string& what) { throw NodeError{what}; }

// Element count of `dims`, or an error naming `what`.
int64_t element_count(const std::vector<int64_t>& dims, const std::string& what) {
  int64_t c = 1;
  for (int64_t d : dims) {
    if (d < 0) fail(fmt::format("{} has a negative dimension {}", what, d));
    if (d != 0 && c > kMaxTensorElements / d)
      fail(fmt::format("{} has more than {} elements", what, kMaxTensorElements));
    c *= d;
  }
  return c;
}

void check_fold_size(const std::vector<int64_t>& dims, const std::string& op) {
  if (element_count(dims, op) > kMaxFoldElements)
    fail(fmt::format("{} would make a constant of {} elements; modelc folds constants of up to {}",
                     op, element_count(dims, op), kMaxFoldElements));
}

size_t element_size(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32: return 4;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::DOUBLE: return 8;
    case onnx::TensorProto::BOOL:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8: return 1;
    default: return 0;
  }
}

std::string type_name(int type) {
  return onnx::TensorProto::DataType_IsValid(type)
             ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(type))
             : fmt::format("type {}", type);
}

double decode(const unsigned char* p, int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case onnx::TensorProto::DOUBLE: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
    case onnx::TensorProto::INT32: {
      int32_t i;
      std::memcpy(&i, p, 4);
      return i;
    }
    case onnx::TensorProto::INT64: {
      int64_t i;
      std::memcpy(&i, p, 8);
      return static_cast<double>(i);
    }
    case onnx::TensorProto::INT8: return static_cast<int8_t>(*p);
    default: return *p;  // BOOL, UINT8
  }
}

// The bytes of an external-data tensor: `location` relative to the model's folder.
std::string external_bytes(const onnx::TensorProto& t, const std::string& dir,
                           const std::string& what, size_t want) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    if (kv.key() == "location") location = kv.value();
    try {
      if (kv.key() == "offset") offset = std::stoll(kv.value());
      if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      fail(fmt::format("{}: external data {} '{}' is not a number", what, kv.key(), kv.value()));
    }
  }
  if (location.empty()) fail(what + ": external data without a location");
  const std::filesystem::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos)
    fail(fmt::format("{}: external data location '{}' must be a file next to the model", what,
                     location));
  const std::filesystem::path path = std::filesystem::path(dir) / rel;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(
        fmt::format("{}: its external data file '{}' is missing (looked in '{}'); copy it next "
                    "to the model",
                    what, location, dir.empty() ? "." : dir));
  in.seekg(0, std::ios::end);
  const auto size = static_cast<int64_t>(in.tellg());
  if (length < 0) length = size - offset;
  if (offset < 0 || offset > size || length != static_cast<int64_t>(want) || offset + length > size)
    fail(
        fmt::format("{}: external data '{}' holds {} bytes from offset {}, but the tensor needs {}",
                    what, location, std::max<int64_t>(0, size - offset), offset, want));
  std::string bytes(want, '\0');
  in.seekg(offset);
  in.read(bytes.data(), static_cast<std::streamsize>(want));
  if (!in) fail(fmt::format("{}: cannot read external data '{}'", what, location));
  return bytes;
}

}  // namespace

Const read_tensor(const onnx::TensorProto& t, const std::string& dir, const std::string& what) {
  Const c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = element_count(c.dims, what);
  const int type = t.data_type();
  const size_t es = element_size(type);
  if (es == 0)
    fail(
        fmt::format("{} has element type {}; modelc imports FLOAT, DOUBLE and integer tensors "
                    "(convert the model to float32)",
                    what, type_name(type)));
  c.integer = type != onnx::TensorProto::FLOAT && type != onnx::TensorProto::DOUBLE;
  c.source = t.name();
  const auto want = static_cast<size_t>(n) * es;
  auto from_bytes = [&](const std::string& b) {
    if (b.size() != want)
      fail(fmt::format("{} holds {} bytes but its shape [{}] of {} needs {}", what, b.size(),
                       fmt::join(c.dims, ", "), type_name(type), want));
    c.v.resize(static_cast<size_t>(n));
    const auto* p = reinterpret_cast<const unsigned char*>(b.data());
    for (int64_t i = 0; i < n; ++i) c.v[static_cast<size_t>(i)] = decode(p + i * es, type);
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    from_bytes(external_bytes(t, dir, what, want));
    return c;
  }
  if (t.has_raw_data()) {
    from_bytes(t.raw_data());
    return c;
  }
  auto from_field = [&](const auto& field) {
    if (static_cast<int64_t>(field.size()) != n)
      fail(fmt::format("{} holds {} values but its shape [{}] needs {}", what, field.size(),
                       fmt::join(c.dims, ", "), n));
    c.v.resize(static_cast<size_t>(n));
    for (int i = 0; i < field.size(); ++i)
      c.v[static_cast<size_t>(i)] = static_cast<double>(field[i]);
  };
  switch (type) {
    case onnx::TensorProto::FLOAT: from_field(t.float_data()); break;
    case onnx::TensorProto::DOUBLE: from_field(t.double_data()); break;
    case onnx::TensorProto::INT64: from_field(t.int64_data()); break;
    default: from_field(t.int32_data()); break;  // INT32, INT8, UINT8, BOOL
  }
  return c;
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t fallback) {
  const auto* a = find_attr(n, name);
  return a ? a->i() : fallback;
}

float attr_float(const onnx::NodeProto& n, const std::string& name, float fallback) {
  const auto* a = find_attr(n, name);
  return a ? a->f() : fallback;
}

std::string attr_string(const onnx::NodeProto& n, const std::string& name,
                        const std::string& fallback) {
  const auto* a = find_attr(n, name);
  return a ? a->s() : fallback;
}

std::optional<std::vector<int64_t>> attr_ints(const onnx::NodeProto& n, const std::string& name) {
  const auto* a = find_attr(n, name);
  if (!a) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

namespace {

// A constant as a TensorProto (FLOAT or INT64), for shape inference to read.
void to_proto(const std::string& name, const Const& c, onnx::TensorProto* t) {
  t->set_name(name);
  for (int64_t d : c.dims) t->add_dims(d);
  if (c.integer) {
    t->set_data_type(onnx::TensorProto::INT64);
    for (double v : c.v) t->add_int64_data(static_cast<int64_t>(v));
  } else {
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (double v : c.v) t->add_float_data(static_cast<float>(v));
  }
}

bool static_shape(const LoadedModel& m, const std::string& v) {
  auto it = m.shapes.find(v);
  return it != m.shapes.end() &&
         std::all_of(it->second.begin(), it->second.end(), [](int64_t d) { return d >= 0; });
}

}  // namespace

int fold_constant_nodes(LoadedModel& m, const std::string& dir) {
  onnx::GraphProto* g = m.proto.mutable_graph();
  std::set<std::string> outputs;
  for (const auto& o : g->output()) outputs.insert(o.name());
  std::vector<bool> folded(static_cast<size_t>(g->node_size()), false);
  int count = 0;
  std::vector<std::string> new_consts;
  for (int i = 0; i < g->node_size(); ++i) {
    const onnx::NodeProto& n = g->node(i);
    if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
    if (std::any_of(n.output().begin(), n.output().end(),
                    [&](const std::string& o) { return outputs.contains(o); }))
      continue;
    std::vector<const Const*> in;
    Const shape_of;
    bool all = true;
    for (const std::string& name : n.input()) {
      if (name.empty()) {
        in.push_back(nullptr);
        continue;
      }
      auto it = m.initializers.find(name);
      if (it == m.initializers.end()) {
        all = false;
        break;
      }
      in.push_back(&it->second);
    }
    if (n.op_type() == "Shape" && n.input_size() == 1 && !all && static_shape(m, n.input(0))) {
      shape_of.dims = m.shapes.at(n.input(0));  // only the dims are read
      if (find_attr(n, "start") || find_attr(n, "end")) continue;
      in = {&shape_of};
      all = true;
    }
    if (!all) continue;
    std::optional<std::vector<Const>> r;
    try {
      r = fold(n, in, dir);
    } catch (const NodeError&) {
      continue;  // left to the lowering, which reports it with the node
    }
    if (!r) continue;
    for (int k = 0; k < n.output_size() && k < static_cast<int>(r->size()); ++k) {
      m.initializers[n.output(k)] = (*r)[static_cast<size_t>(k)];
      new_consts.push_back(n.output(k));
    }
    folded[static_cast<size_t>(i)] = true;
    ++count;
  }
  if (count == 0) return 0;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (int i = 0; i < g->node_size(); ++i)
    if (!folded[static_cast<size_t>(i)]) *kept.Add() = g->node(i);
  g->mutable_node()->Swap(&kept);
  for (const std::string& name : new_consts)
    to_proto(name, m.initializers.at(name), g->add_initializer());
  return count;
}

LoadedModel load_model(const std::string& bytes, const std::string& label, const std::string& dir,
                       const std::vector<int64_t>& input_shape) {
  LoadedModel m;
  m.label = label;
  if (bytes.empty()) throw ImportError({label + ": the file is empty; expected an ONNX model"});
  if (!m.proto.ParseFromString(bytes))
    throw ImportError({label + ": not an ONNX model (the protobuf does not parse: a truncated, "
                               "corrupt or non-ONNX file)"});
  if (!m.proto.has_graph() || m.proto.graph().node_size() == 0)
    throw ImportError({label + ": not an ONNX model (no graph, or a graph without nodes)"});
  for (const auto& o : m.proto.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") m.opset = o.version();
  if (m.opset == 0) throw ImportError({label + ": the model imports no opset of the ONNX domain"});
  if (m.opset < 7 || m.opset > 17)
    throw ImportError(
        {fmt::format("{}: opset {}; modelc imports opsets 7 to 17 (re-export with "
                     "opset_version=13 or 17)",
                     label, m.opset)});

  onnx::GraphProto* g = m.proto.mutable_graph();
  // Initializers, which some exporters also list as inputs.
  std::vector<std::string> errors;
  for (const auto& t : g->initializer()) {
    try {
      m.initializers[t.name()] = read_tensor(t, dir, fmt::format("initializer '{}'", t.name()));
    } catch (const NodeError& e) {
      errors.push_back(label + ": " + e.what);
    }
  }
  if (!errors.empty()) throw ImportError(errors);

  onnx::ValueInfoProto* input = nullptr;
  for (auto& in : *g->mutable_input())
    if (!m.initializers.contains(in.name())) {
      if (input)
        throw ImportError(
            {fmt::format("{}: the model has more than one input ('{}', '{}'); modelc "
                         "imports models with one input",
                         label, input->name(), in.name())});
      input = &in;
    }
  if (!input) throw ImportError({label + ": the model has no input"});
  if (!input->type().has_tensor_type() ||
      input->type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    throw ImportError(
        {fmt::format("{}: input '{}' is not a float32 tensor", label, input->name())});
  auto* shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
  if (!input_shape.empty()) {
    if (shape->dim_size() != 0 && shape->dim_size() != static_cast<int>(input_shape.size()))
      throw ImportError({fmt::format("{}: --input-shape has {} dimensions but input '{}' has {}",
                                     label, input_shape.size(), input->name(), shape->dim_size())});
    shape->clear_dim();
    for (int64_t d : input_shape) shape->add_dim()->set_dim_value(d);
  }
  std::vector<std::string> dims_text;
  bool dynamic = shape->dim_size() == 0;
  for (const auto& d : shape->dim()) {
    dims_text.push_back(d.has_dim_value() ? std::to_string(d.dim_value())
                                          : (d.dim_param().empty() ? "?" : d.dim_param()));
    if (!d.has_dim_value() || d.dim_value() <= 0) dynamic = true;
  }
  if (dynamic)
    throw ImportError(
        {fmt::format("{}: input '{}' has shape [{}] with dynamic or missing "
                     "dimensions; give them with --input-shape N,C,H,W (e.g. "
                     "--input-shape 1,3,224,224)",
                     label, input->name(), fmt::join(dims_text, ", "))});
  // Shapes inferred for a dynamic model are stale once its input changes.
  if (!input_shape.empty()) g->clear_value_info();

  try {
    onnx::checker::check_model(m.proto);
  } catch (const std::exception& e) {
    std::string what = e.what();
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    throw ImportError({fmt::format("{}: ONNX's checker rejects the model: {}", label, what)});
  }
  // Shape inference, then the folding of every constant node into an
  // initializer (so a Pad whose pads are computed gets a static output), again
  // until nothing folds.
  for (int round = 0; round < 16; ++round) {
    g->clear_value_info();
    try {
      onnx::shape_inference::InferShapes(m.proto);
    } catch (const std::exception& e) {
      throw ImportError({fmt::format("{}: ONNX shape inference fails: {}", label, e.what())});
    }
    m.shapes.clear();
    auto record = [&](const onnx::ValueInfoProto& v) {
      if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
      std::vector<int64_t> d;
      for (const auto& x : v.type().tensor_type().shape().dim())
        d.push_back(x.has_dim_value() ? x.dim_value() : -1);
      m.shapes[v.name()] = d;
    };
    for (const auto& v : g->input()) record(v);
    for (const auto& v : g->value_info()) record(v);
    for (const auto& v : g->output()) record(v);
    for (const auto& [name, c] : m.initializers) m.shapes[name] = c.dims;
    if (fold_constant_nodes(m, dir) == 0) break;
  }
  return m;
}

// ---- constant folding ---------------------------------------------------------

namespace {

// Row-major strides of `dims`.
std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

int64_t norm_axis(int64_t axis, size_t rank, const std::string& op) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= std::max<int64_t>(r, 1))
    fail(fmt::format("{}: axis {} is out of range for rank {}", op, axis, rank));
  return axis < 0 ? axis + r : axis;
}

// numpy broadcasting of two constants through `f`.
template <typename F>
Const broadcast(const Const& a, const Const& b, F f, const std::string& op) {
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<int64_t> da(rank, 1), db(rank, 1), out(rank);
  std::copy(a.dims.begin(), a.dims.end(), da.begin() + static_cast<long>(rank - a.dims.size()));
  std::copy(b.dims.begin(), b.dims.end(), db.begin() + static_cast<long>(rank - b.dims.size()));
  for (size_t i = 0; i < rank; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
      fail(fmt::format("{}: shapes [{}] and [{}] do not broadcast", op, fmt::join(a.dims, ", "),
                       fmt::join(b.dims, ", ")));
    out[i] = std::max(da[i], db[i]);
  }
  Const r;
  r.dims = out;
  r.integer = a.integer && b.integer;
  check_fold_size(out, op);
  const int64_t n = element_count(out, op);
  r.v.resize(static_cast<size_t>(n));
  const auto so = strides_of(out), sa = strides_of(da), sb = strides_of(db);
  for (int64_t i = 0; i < n; ++i) {
    int64_t ia = 0, ib = 0, rem = i;
    for (size_t k = 0; k < rank; ++k) {
      const int64_t idx = rem / so[k];
      rem %= so[k];
      if (da[k] != 1) ia += idx * sa[k];
      if (db[k] != 1) ib += idx * sb[k];
    }
    r.v[static_cast<size_t>(i)] = f(a.v[static_cast<size_t>(ia)], b.v[static_cast<size_t>(ib)]);
  }
  if (a.dims.size() == b.dims.size() && rank == 0) r.dims = {};
  return r;
}

std::vector<int64_t> as_ints(const Const& c) {
  std::vector<int64_t> r;
  for (double x : c.v) r.push_back(static_cast<int64_t>(x));
  return r;
}

}  // namespace

std::optional<std::vector<Const>> fold(const onnx::NodeProto& n,
                                       const std::vector<const Const*>& in,
                                       const std::string& dir) {
  const std::string& op = n.op_type();
  auto need = [&](size_t k) {
    if (in.size() < k || std::any_of(in.begin(), in.begin() + static_cast<long>(k),
                                     [](const Const* c) { return c == nullptr; }))
      fail(fmt::format("{} needs {} input{}", op, k, k == 1 ? "" : "s"));
  };
  auto one = [](Const c) { return std::vector<Const>{std::move(c)}; };
  if (op == "Constant") {
    if (const auto* a = find_attr(n, "value"); a && a->has_t())
      return one(read_tensor(a->t(), dir, "Constant"));
    if (const auto* a = find_attr(n, "value_float")) return one(Const{{}, {a->f()}, false, ""});
    if (const auto* a = find_attr(n, "value_int"))
      return one(Const{{}, {static_cast<double>(a->i())}, true, ""});
    if (const auto* a = find_attr(n, "value_ints")) {
      Const c{{a->ints_size()}, {}, true, ""};
      for (int64_t x : a->ints()) c.v.push_back(static_cast<double>(x));
      return one(c);
    }
    if (const auto* a = find_attr(n, "value_floats")) {
      Const c{{a->floats_size()}, {}, false, ""};
      for (float x : a->floats()) c.v.push_back(x);
      return one(c);
    }
    fail("Constant without a value modelc reads (value, value_float(s), value_int(s))");
  }
  if (op == "Identity" || op == "Dropout") {
    need(1);
    Const c = *in[0];
    c.source = in[0]->source;
    return one(c);
  }
  if (op == "Cast") {
    need(1);
    Const c = *in[0];
    const int64_t to = attr_int(n, "to", onnx::TensorProto::FLOAT);
    c.integer = to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE;
    if (c.integer)
      for (double& x : c.v) x = std::trunc(x);
    c.source.clear();
    return one(c);
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") {
    need(2);
    const bool integer = in[0]->integer && in[1]->integer;
    auto f = [&](double a, double b) -> double {
      if (op == "Add") return a + b;
      if (op == "Sub") return a - b;
      if (op == "Mul") return a * b;
      if (op == "Pow") return std::pow(a, b);
      if (integer) {
        if (b == 0) fail("Div: integer division by zero");
        return std::trunc(a / b);
      }
      return a / b;
    };
    return one(broadcast(*in[0], *in[1], f, op));
  }
  if (op == "Sqrt" || op == "Neg" || op == "Floor" || op == "Ceil" || op == "Reciprocal") {
    need(1);
    Const c = *in[0];
    c.source.clear();
    for (double& x : c.v)
      x = op == "Sqrt"    ? std::sqrt(x)
          : op == "Neg"   ? -x
          : op == "Floor" ? std::floor(x)
          : op == "Ceil"  ? std::ceil(x)
                          : 1.0 / x;
    return one(c);
  }
  if (op == "Shape") {
    need(1);
    Const c{{static_cast<int64_t>(in[0]->dims.size())}, {}, true, ""};
    for (int64_t d : in[0]->dims) c.v.push_back(static_cast<double>(d));
    return one(c);
  }
  if (op == "Gather") {
    need(2);
    const Const& data = *in[0];
    const Const& idx = *in[1];
    if (data.dims.empty()) fail("Gather on a scalar");
    const int64_t axis = norm_axis(attr_int(n, "axis", 0), data.dims.size(), op);
    Const r;
    r.integer = data.integer;
    for (size_t i = 0; i < static_cast<size_t>(axis); ++i) r.dims.push_back(data.dims[i]);
    for (int64_t d : idx.dims) r.dims.push_back(d);
    for (size_t i = static_cast<size_t>(axis) + 1; i < data.dims.size(); ++i)
      r.dims.push_back(data.dims[i]);
    check_fold_size(r.dims, op);
    const auto st = strides_of(data.dims);
    const int64_t outer = axis == 0 ? 1 : data.count() / (data.dims[axis] * st[axis]);
    const int64_t inner = st[static_cast<size_t>(axis)];
    const int64_t len = data.dims[static_cast<size_t>(axis)];
    for (int64_t o = 0; o < outer; ++o)
      for (double xi : idx.v) {
        auto k = static_cast<int64_t>(xi);
        if (k < 0) k += len;
        if (k < 0 || k >= len) fail(fmt::format("Gather: index {} is out of range", xi));
        for (int64_t j = 0; j < inner; ++j)
          r.v.push_back(data.v[static_cast<size_t>((o * len + k) * inner + j)]);
      }
    return one(r);
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    need(1);
    std::vector<int64_t> axes;
    if (auto a = attr_ints(n, "axes"))
      axes = *a;
    else if (in.size() > 1 && in[1])
      axes = as_ints(*in[1]);
    Const c = *in[0];
    c.source.clear();
    if (op == "Unsqueeze") {
      const size_t rank = c.dims.size() + axes.size();
      for (int64_t& a : axes) a = norm_axis(a, rank, op);
      std::sort(axes.begin(), axes.end());
      for (int64_t a : axes) c.dims.insert(c.dims.begin() + a, 1);
    } else {
      std::vector<int64_t> keep;
      for (size_t i = 0; i < c.dims.size(); ++i) {
        const bool drop =
            axes.empty() ? c.dims[i] == 1 : std::any_of(axes.begin(), axes.end(), [&](int64_t a) {
              return norm_axis(a, c.dims.size(), op) == static_cast<int64_t>(i);
            });
        if (!drop) keep.push_back(c.dims[i]);
      }
      c.dims = keep;
    }
    return one(c);
  }
  if (op == "Concat") {
    if (in.empty()) fail("Concat without inputs");
    for (const Const* c : in)
      if (!c) fail("Concat: an input is missing");
    const size_t rank = in[0]->dims.size();
    if (rank == 0) fail("Concat of scalars");
    const int64_t axis = norm_axis(attr_int(n, "axis", 0), rank, op);
    Const r;
    r.dims = in[0]->dims;
    r.dims[static_cast<size_t>(axis)] = 0;
    r.integer = true;
    for (const Const* c : in) {
      if (c->dims.size() != rank) fail("Concat: inputs of different ranks");
      r.dims[static_cast<size_t>(axis)] += c->dims[static_cast<size_t>(axis)];
      r.integer = r.integer && c->integer;
    }
    const int64_t outer =
        std::accumulate(r.dims.begin(), r.dims.begin() + axis, int64_t{1}, std::multiplies<>());
    for (int64_t o = 0; o < outer; ++o)
      for (const Const* c : in) {
        const int64_t chunk = o < outer && outer > 0 ? c->count() / outer : 0;
        for (int64_t j = 0; j < chunk; ++j) r.v.push_back(c->v[static_cast<size_t>(o * chunk + j)]);
      }
    return one(r);
  }
  if (op == "Reshape" || op == "Flatten") {
    need(1);
    Const c = *in[0];
    c.source.clear();
    std::vector<int64_t> shape;
    if (op == "Flatten") {
      const int64_t axis = norm_axis(attr_int(n, "axis", 1), c.dims.size() + 1, op);
      int64_t a = 1, b = 1;
      for (size_t i = 0; i < c.dims.size(); ++i)
        (static_cast<int64_t>(i) < axis ? a : b) *= c.dims[i];
      shape = {a, b};
    } else {
      need(2);
      shape = as_ints(*in[1]);
      int64_t known = 1, unknown = -1;
      for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 0 && i < c.dims.size()) shape[i] = c.dims[i];
        if (shape[i] == -1) {
          if (unknown >= 0) fail("Reshape with two -1 dimensions");
          unknown = static_cast<int64_t>(i);
        } else {
          known *= shape[i];
        }
      }
      if (unknown >= 0) shape[static_cast<size_t>(unknown)] = known ? c.count() / known : 0;
    }
    if (element_count(shape, op) != c.count()) fail("Reshape to a shape of another size");
    c.dims = shape;
    return one(c);
  }
  if (op == "Slice") {
    need(3);
    const Const& data = *in[0];
    const std::vector<int64_t> starts = as_ints(*in[1]), ends = as_ints(*in[2]);
    std::vector<int64_t> axes, steps(starts.size(), 1);
    if (in.size() > 3 && in[3]) axes = as_ints(*in[3]);
    if (in.size() > 4 && in[4]) steps = as_ints(*in[4]);
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      fail("Slice: starts, ends, axes and steps of different lengths");
    const size_t rank = data.dims.size();
    // Per axis: first index, step, count (numpy semantics, clamped).
    std::vector<int64_t> first(rank, 0), step(rank, 1), count = data.dims;
    for (size_t k = 0; k < axes.size(); ++k) {
      const auto a = static_cast<size_t>(norm_axis(axes[k], rank, op));
      const int64_t len = data.dims[a], st = steps[k];
      if (st == 0) fail("Slice with step 0");
      int64_t b = starts[k] < 0 ? starts[k] + len : starts[k];
      int64_t e = ends[k] < 0 ? ends[k] + len : ends[k];
      if (st > 0) {
        b = std::clamp<int64_t>(b, 0, len);
        e = std::clamp<int64_t>(e, 0, len);
        count[a] = e > b ? (e - b + st - 1) / st : 0;
      } else {
        b = std::clamp<int64_t>(b, -1, len - 1);
        e = std::clamp<int64_t>(e, -1, len - 1);
        count[a] = b > e ? (b - e + (-st) - 1) / (-st) : 0;
      }
      first[a] = b;
      step[a] = st;
    }
    Const r{count, {}, data.integer, ""};
    const int64_t total = element_count(count, op);
    const auto src_strides = strides_of(data.dims), out_strides = strides_of(count);
    for (int64_t i = 0; i < total; ++i) {
      int64_t rem = i, src = 0;
      for (size_t a = 0; a < rank; ++a) {
        const int64_t idx = rem / out_strides[a];
        rem %= out_strides[a];
        src += (first[a] + idx * step[a]) * src_strides[a];
      }
      r.v.push_back(data.v[static_cast<size_t>(src)]);
    }
    return one(r);
  }
  if (op == "Transpose") {
    need(1);
    const Const& data = *in[0];
    const size_t rank = data.dims.size();
    std::vector<int64_t> perm = attr_ints(n, "perm").value_or(std::vector<int64_t>{});
    if (perm.empty())
      for (size_t i = 0; i < rank; ++i) perm.push_back(static_cast<int64_t>(rank - 1 - i));
    if (perm.size() != rank) fail("Transpose: perm of another rank");
    std::vector<bool> seen(rank, false);
    for (int64_t& p : perm) {
      p = norm_axis(p, rank, op);
      if (seen[static_cast<size_t>(p)]) fail("Transpose: perm repeats an axis");
      seen[static_cast<size_t>(p)] = true;
    }
    Const r{{}, {}, data.integer, ""};
    for (int64_t p : perm) r.dims.push_back(data.dims[static_cast<size_t>(p)]);
    const auto src_strides = strides_of(data.dims), out_strides = strides_of(r.dims);
    const int64_t total = data.count();
    for (int64_t i = 0; i < total; ++i) {
      int64_t rem = i, src = 0;
      for (size_t a = 0; a < rank; ++a) {
        const int64_t idx = rem / out_strides[a];
        rem %= out_strides[a];
        src += idx * src_strides[static_cast<size_t>(perm[a])];
      }
      r.v.push_back(data.v[static_cast<size_t>(src)]);
    }
    return one(r);
  }
  if (op == "ConstantOfShape") {
    need(1);
    Const r;
    r.dims = as_ints(*in[0]);
    double value = 0;
    r.integer = false;
    if (const auto* a = find_attr(n, "value"); a && a->has_t()) {
      const Const v = read_tensor(a->t(), dir, "ConstantOfShape value");
      if (v.v.size() != 1) fail("ConstantOfShape: its value is not one element");
      value = v.v[0];
      r.integer = v.integer;
    }
    check_fold_size(r.dims, op);
    r.v.assign(static_cast<size_t>(element_count(r.dims, op)), value);
    return one(r);
  }
  return std::nullopt;
}

}  // namespace modelc::onnx_import
