// The `modelc` command line in-process: exit codes, help, version, summary,
// the DOT output of a small spec, and the speed of check + summary.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "report/graphviz.hpp"
#include "report/render.hpp"
#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int status = run_cli(args, out, err);
  return {status, out.str(), err.str()};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("exit codes: 0 ok, 1 spec errors, 2 usage") {
    const Run ok =
        run({"check", source_path("specs/alexnet.yaml"), source_path("specs/vgg16.yaml")});
    CHECK(ok.status == 0);
    CHECK(ok.err.empty());
    CHECK(ok.out.find("ok: AlexNet, 17 nodes, 62,378,344 parameters, 1,135,256,096 MACs") !=
          std::string::npos);
    CHECK(ok.out.find("ok: VGG16") != std::string::npos);

    const Run bad = run({"check", source_path("specs/alexnet.yaml"),
                         source_path("tests/compiler/bad_specs/unknown_op.yaml")});
    CHECK(bad.status == 1);
    CHECK(bad.out.find("ok: AlexNet") != std::string::npos);
    CHECK(bad.err.find("unknown_op.yaml:6:10: error: unknown op 'conv2'; did you mean 'conv2d'?") !=
          std::string::npos);

    CHECK(run({}).status == 2);
    CHECK(run({"check"}).status == 2);
    CHECK(run({"check", "--frobnicate", "x.yaml"}).status == 2);
    CHECK(run({"summary", "a.yaml", "b.yaml"}).status == 2);
    CHECK(run({"graph"}).status == 2);
    const Run typo = run({"chek", "x.yaml"});
    CHECK(typo.status == 2);
    CHECK(typo.err.find("unknown command 'chek'; did you mean 'check'?") != std::string::npos);
    CHECK(run({"check", "/nonexistent/spec.yaml"}).status == 1);
  }

  TEST_CASE("--help and --version") {
    const Run help = run({"--help"});
    CHECK(help.status == 0);
    CHECK(help.out.find("usage: modelc <command>") != std::string::npos);
    for (const char* cmd : {"check", "summary", "graph", "generate"}) {
      CAPTURE(cmd);
      const Run h = run({cmd, "--help"});
      CHECK(h.status == 0);
      CHECK(h.out.find(std::string("usage: modelc ") + cmd) != std::string::npos);
    }
    const Run v = run({"--version"});
    CHECK(v.status == 0);
    CHECK(v.out == std::string("modelc ") + MODELC_VERSION + "\n");
  }

  TEST_CASE("summary: header, rows, footer") {
    const Run r = run({"summary", source_path("specs/examples/mini_alexnet.yaml")});
    CHECK(r.status == 0);
    CHECK(r.out.find("Model: \"MiniAlexNet\"") != std::string::npos);
    CHECK(
        r.out.find("conv1    conv2d           [7, 7, 8]                     224          10,584") !=
        std::string::npos);
    CHECK(r.out.find("Total params:                                1,654  (6.46 KiB)") !=
          std::string::npos);
    CHECK(r.out.find("Trainable params:                            1,654") != std::string::npos);
    CHECK(r.out.find("Total MACs:                                 14,840  (14.840 K)") !=
          std::string::npos);
  }

  TEST_CASE("graph: DOT of a small spec with nested clusters") {
    const Run r = run({"graph", source_path("tests/compiler/data/tiny_graph.yaml")});
    CHECK(r.status == 0);
    std::string out = r.out;
    // The banner names the spec path as given; compare from the digraph on.
    out = out.substr(out.find("digraph"));
    const std::string expected = read_file(source_path("tests/compiler/data/tiny_graph.dot"));
    CHECK(out == expected.substr(expected.find("digraph")));
  }

  TEST_CASE("graph -o: DOT text, or a picture drawn by Graphviz's dot, or why not") {
    namespace fs = std::filesystem;
    const std::string spec = source_path("tests/compiler/data/tiny_graph.yaml");
    const fs::path dir = fs::temp_directory_path() / "modelc_cli_graph_o";
    fs::remove_all(dir);
    fs::create_directories(dir / "empty");
    const std::string dot_text = run({"graph", spec}).out;
    REQUIRE(dot_text.find("digraph") != std::string::npos);

    // .dot and .gv are the DOT text; another extension is a usage error.
    CHECK(run({"graph", spec, "-o", (dir / "net.dot").string()}).status == 0);
    CHECK(read_file((dir / "net.dot").string()) == dot_text);
    const Run txt = run({"graph", spec, "-o", (dir / "net.txt").string()});
    CHECK(txt.status == 2);
    CHECK(txt.err.find("graph: -o FILE must end in .svg, .png or .pdf") != std::string::npos);

    const std::string saved_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    const std::string svg = (dir / "net.svg").string();
    // No dot on PATH: a clear error naming the Debian package, nothing written.
    ::setenv("PATH", (dir / "empty").c_str(), 1);
    const Run missing = run({"graph", spec, "-o", svg});
    ::setenv("PATH", saved_path.c_str(), 1);
    CHECK(missing.status == 1);
    CHECK(missing.out.empty());
    CHECK(missing.err ==
          "modelc: error: graph: drawing '" + svg +
              "' needs Graphviz's 'dot' program, which is not on PATH; install the Debian "
              "package 'graphviz' (apt-get install graphviz), or write the DOT text with -o " +
              (dir / "net.dot").string() + "\n");
    CHECK_FALSE(fs::exists(svg));

    // A stand-in dot first on PATH shows how dot is run: -Tsvg -o FILE INPUT.
    fs::create_directories(dir / "fake");
    {
      std::ofstream script(dir / "fake" / "dot");
      script << "#!/bin/sh\nprintf '%s\\n' \"$1\" \"$2\" > \"$3\"\ncat \"$4\" >> \"$3\"\n";
    }
    fs::permissions(dir / "fake" / "dot", fs::perms::owner_all);
    ::setenv("PATH", ((dir / "fake").string() + ":" + saved_path).c_str(), 1);
    const Run fake = run({"graph", spec, "-o", svg});
    {
      std::ofstream script(dir / "fake" / "dot");
      script << "#!/bin/sh\nexit 3\n";
    }
    const Run failing = run({"graph", spec, "-o", svg});
    ::setenv("PATH", saved_path.c_str(), 1);
    CHECK(fake.status == 0);
    CHECK(fake.err.empty());
    CHECK(read_file(svg) == "-Tsvg\n-o\n" + dot_text);
    CHECK(failing.status == 1);
    CHECK(failing.err.find("failed (exit status 3) writing '" + svg + "'") != std::string::npos);

    // The real dot when Graphviz is installed.
    if (find_on_path("dot").empty()) {
      MESSAGE("Graphviz's dot is not on PATH: the real rendering is not tested");
    } else {
      fs::remove(svg);
      CHECK(run({"graph", spec, "-o", svg}).status == 0);
      CHECK(read_file(svg).find("<svg") != std::string::npos);
      const std::string png = (dir / "net.png").string();
      CHECK(run({"graph", spec, "-o=" + png}).status == 0);
      CHECK(read_file(png).substr(1, 3) == "PNG");
    }
    fs::remove_all(dir);
  }

  TEST_CASE("dump-ir") {
    const Run r = run({"check", "--dump-ir", source_path("tests/compiler/data/tiny_graph.yaml")});
    CHECK(r.status == 0);
    CHECK(r.out.find("%1 s/c conv2d(%0) -> [4, 4, 4]") != std::string::npos);
    const Run same =
        run({"check", "--dump=ir", source_path("tests/compiler/data/tiny_graph.yaml")});
    CHECK(same.status == 0);
    CHECK(same.out == r.out);
  }

  TEST_CASE("--dump=plan and --dump=emit print a stage's result and stop") {
    const std::string spec = source_path("specs/examples/mini_resnet.yaml");
    const Run plan = run({"check", "--dump=plan", spec});
    CHECK(plan.status == 0);
    CHECK(plan.err.empty());
    CHECK(plan.out.rfind("plan MiniResNet: inference_arena=", 0) == 0);
    CHECK(plan.out.find(" fuse_bn=%") != std::string::npos);
    CHECK(plan.out.find("output 0 %") != std::string::npos);
    CHECK(plan.out.find(": ok: ") == std::string::npos);  // the dump replaces the ok line
    // --no-fuse plans every batchnorm as its own kernel.
    const Run unfused = run({"check", "--dump=plan", "--no-fuse", spec});
    CHECK(unfused.status == 0);
    CHECK(unfused.out.find(" fuse_bn=%") == std::string::npos);

    // --dump=emit prints exactly what generate writes.
    const std::string dir =
        (std::filesystem::temp_directory_path() / "modelc_cli_dump_emit").string();
    std::filesystem::remove_all(dir);
    REQUIRE(run({"generate", spec, "-o", dir}).status == 0);
    const Run emit = run({"check", "--dump=emit", spec});
    CHECK(emit.status == 0);
    CHECK(emit.out ==
          "// modelc --dump=emit: mini_resnet.hpp\n" + read_file(dir + "/mini_resnet.hpp") +
              "// modelc --dump=emit: mini_resnet.cpp\n" + read_file(dir + "/mini_resnet.cpp"));
    const Run gen = run({"generate", spec, "--dump=emit", "--namespace", "my::nets"});
    CHECK(gen.status == 0);
    CHECK(gen.out.find("namespace my::nets {") != std::string::npos);
    std::filesystem::remove_all(dir);

    // An IR dump stops before plan, so it works on a spec whose plan fails.
    const std::string bad = source_path("tests/compiler/bad_specs/softmax_of_input.yaml");
    const Run ir = run({"check", "--dump=ir", bad});
    CHECK(ir.status == 0);
    CHECK(ir.out.find("%1 probs softmax(%0)") != std::string::npos);
    CHECK(run({"check", "--dump=plan", bad}).status == 1);
  }

  TEST_CASE("diagnostics: the source line and a caret under the column") {
    const Run r = run({"check", source_path("tests/compiler/bad_specs/unknown_op.yaml")});
    CHECK(r.status == 1);
    // The first line is as before; the source line and the caret follow it.
    CHECK(r.err.find("unknown_op.yaml:6:10: error: unknown op 'conv2'; did you mean 'conv2d'?\n"
                     "  - {op: conv2, filters: 8, kernel: 3}\n"
                     "         ^~~~~\n") != std::string::npos);
    // A note with its own location gets its own source line and caret.
    const Run n = run({"check", source_path("tests/compiler/bad_specs/arg_type_from_param.yaml")});
    CHECK(n.err.find(":11:54: error: conv2d 'u/conv': kernel must be a positive integer or a pair "
                     "[h, w], got ['three', 1]\n"
                     "      - {op: conv2d, name: conv, filters: 4, kernel: [$k, 1]}\n" +
                     std::string(53, ' ') + "^~~~~~~\n") != std::string::npos);
    CHECK(n.err.find(":13:38: note: $k is 'three' here\n"
                     "  - {block: unit, name: u, args: {k: three}}\n" +
                     std::string(37, ' ') + "^~~~~\n") != std::string::npos);
    const Run b = run({"check", source_path("tests/compiler/bad_specs/block_sees_outside.yaml")});
    CHECK(b.status == 1);
    CHECK(b.err.find("block_sees_outside.yaml:10:45: error: add 'sum' in block 'res': unknown "
                     "layer 'stem'\n"
                     "      - {op: add, name: sum, inputs: [conv, stem]}\n" +
                     std::string(44, ' ') + "^~~~\n") != std::string::npos);
    // A missing file has no line to show.
    const Run missing = run({"check", "/nonexistent/spec.yaml"});
    CHECK(missing.err.find('^') == std::string::npos);

    // Tabs are kept so the caret lines up; quoted and bracketed values are spanned whole.
    CHECK(caret_line("\tname: x", 8) == "\t      ^");
    CHECK(caret_line("a: \"two words\", b", 4) == "   ^~~~~~~~~~~");
    CHECK(caret_line("  - {op: conv2d, k: [3, 3]}", 5) == "    ^~~~~~~~~~~~~~~~~~~~~~~");
    CHECK(caret_line("x: \xc3\xa9t\xc3\xa9, y", 4) == "   ^~~");  // columns count code points
    CHECK(caret_line("short", 9).empty());                        // past the end: no caret
  }

  TEST_CASE("diagnostics: colour on a terminal, off when piped, NO_COLOR, --color") {
    const std::string bad = source_path("tests/compiler/bad_specs/unknown_op.yaml");
    auto run_tty = [](std::vector<std::string> args, bool tty) {
      std::ostringstream out, err;
      const int status = run_cli(args, out, err, tty);
      return Run{status, out.str(), err.str()};
    };
    const auto has_escape = [](const Run& r) { return r.err.find('\033') != std::string::npos; };
    ::unsetenv("NO_COLOR");
    CHECK_FALSE(has_escape(run_tty({"check", bad}, false)));  // piped
    const Run tty = run_tty({"check", bad}, true);
    CHECK(has_escape(tty));
    CHECK(tty.err.find("\033[1;31merror: \033[0m") != std::string::npos);
    CHECK(tty.err.find("\033[1;32m^~~~~\033[0m") != std::string::npos);
    ::setenv("NO_COLOR", "1", 1);
    CHECK_FALSE(has_escape(run_tty({"check", bad}, true)));
    // --color forces either way, before or after the command.
    CHECK(has_escape(run_tty({"--color=always", "check", bad}, false)));
    CHECK(has_escape(run_tty({"check", "--color", "always", bad}, false)));
    ::unsetenv("NO_COLOR");
    CHECK_FALSE(has_escape(run_tty({"check", "--color=never", bad}, true)));
    CHECK(run_tty({"check", "--color=auto", bad}, false).status == 1);
    const Run wrong = run_tty({"check", "--color=sometimes", bad}, false);
    CHECK(wrong.status == 2);
    CHECK(wrong.err.find("--color takes auto, always or never, got 'sometimes'") !=
          std::string::npos);
  }

  TEST_CASE("options: --opt=value and --opt value, --, did-you-mean, short usage") {
    const std::string spec = source_path("specs/examples/mini_alexnet.yaml");
    const Run spaced = run({"summary", "--batch", "8", spec});
    REQUIRE(spaced.status == 0);
    const Run joined = run({"summary", "--batch=8", spec});
    CHECK(joined.status == 0);
    CHECK(joined.out == spaced.out);
    CHECK(run({"summary", spec, "--batch", "2", "--batch=8"}).out == spaced.out);  // the last wins
    // `--` ends the options: what follows is a spec even if it starts with '-'.
    const Run dashes = run({"check", "--", spec});
    CHECK(dashes.status == 0);
    CHECK(dashes.out.find(": ok: MiniAlexNet") != std::string::npos);
    const Run dash_file = run({"check", "--", "--no-such.yaml"});
    CHECK(dash_file.status == 1);  // read as a spec, not as an option
    CHECK(dash_file.err.find("--no-such.yaml") != std::string::npos);
    const std::string dir =
        (std::filesystem::temp_directory_path() / "modelc_cli_opt_equals").string();
    std::filesystem::remove_all(dir);
    CHECK(run({"generate", "-o=" + dir, "--namespace=my::nets", spec}).status == 0);
    CHECK(read_file(dir + "/mini_alexnet.hpp").find("namespace my::nets {") != std::string::npos);
    std::filesystem::remove_all(dir);

    // A misspelt option: did you mean, the usage line and a pointer to --help, not the whole help.
    const Run typo = run({"summary", "--bacth", "8", spec});
    CHECK(typo.status == 2);
    CHECK(typo.out.empty());
    CHECK(typo.err ==
          "modelc: summary: unknown option '--bacth'; did you mean '--batch'?\n"
          "usage: modelc summary [--batch N] SPEC\n"
          "'modelc summary --help' lists its options\n");
    CHECK(run({"check", "--no-fuze", spec}).err.find("did you mean '--no-fuse'?") !=
          std::string::npos);
    CHECK(run({"generate", spec, "--namepsace=x"}).err.find("did you mean '--namespace'?") !=
          std::string::npos);
    CHECK(run({"check", "--dumpp=ir", spec}).err.find("did you mean '--dump'?") !=
          std::string::npos);
    CHECK(run({"check", "--frobnicate", spec}).err.find("unknown option '--frobnicate'\n") !=
          std::string::npos);
    const Run missing = run({"summary", spec, "--batch"});
    CHECK(missing.status == 2);
    CHECK(missing.err.find("modelc: summary: --batch needs a value\n") == 0);
    CHECK(run({"generate", spec, "--namespace="}).err.find("--namespace needs a value") !=
          std::string::npos);
    const Run top = run({"--verison"});
    CHECK(top.status == 2);
    CHECK(top.err ==
          "modelc: unknown option '--verison'; did you mean '--version'?\n"
          "usage: modelc <command> [options] SPEC...\n"
          "'modelc --help' lists the commands and options\n");
  }

  TEST_CASE("--dump: an unknown or missing stage is a usage error that lists the stages") {
    const std::string spec = source_path("specs/examples/mini_resnet.yaml");
    const Run typo = run({"check", "--dump=pln", spec});
    CHECK(typo.status == 2);
    CHECK(typo.out.empty());
    CHECK(typo.err.find(
              "check: unknown --dump stage 'pln'; did you mean 'plan'? (stages: ir, plan, emit)") !=
          std::string::npos);
    const Run bare = run({"check", "--dump", spec});
    CHECK(bare.status == 2);
    CHECK(bare.err.find("check: --dump needs a stage: --dump=STAGE (stages: ir, plan, emit)") !=
          std::string::npos);
    CHECK(run({"check", "--dump=", spec}).status == 2);
    CHECK(run({"generate", spec, "--dump=yaml"}).status == 2);
  }

  TEST_CASE("check, summary, graph and generate stop at the same errors (plan's too)") {
    for (const char* name : {"softmax_of_input"}) {
      CAPTURE(name);
      const std::string spec =
          source_path(std::string("tests/compiler/bad_specs/") + name + ".yaml");
      const std::string dir =
          (std::filesystem::temp_directory_path() / "modelc_cli_same_errors").string();
      const Run check = run({"check", spec});
      CHECK(check.status == 1);
      CHECK(check.out.empty());
      CHECK(check.err.find(": error: output 'probs': ") != std::string::npos);
      CHECK(check.err.find(".yaml: 1 error\n") != std::string::npos);
      for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
               {"summary", spec}, {"graph", spec}, {"generate", spec, "-o", dir}}) {
        CAPTURE(args[0]);
        const Run r = run(args);
        CHECK(r.status == 1);
        CHECK(r.out.empty());  // summary used to print its table, then the error, and exit 0
        CHECK(r.err == check.err);
      }
      CHECK_FALSE(std::filesystem::exists(dir));
    }
  }

  TEST_CASE("check + summary of ResNet50 is fast") {
    // The best of 5 tries: on a shared machine one try can lose its core.
    double ms = 1e9;
    Run c, s;
    for (int attempt = 0; attempt < 5; ++attempt) {
      const auto start = std::chrono::steady_clock::now();
      c = run({"check", source_path("specs/resnet50.yaml")});
      s = run({"summary", source_path("specs/resnet50.yaml")});
      ms = std::min(
          ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count());
    }
    CHECK(c.status == 0);
    CHECK(s.status == 0);
    CHECK(s.out.find("Total params:                           25,636,712") != std::string::npos);
    MESSAGE("check + summary of ResNet50: " << ms << " ms");
#ifdef NDEBUG
    CHECK(ms < 50.0 * kTimeScale);
#else
    CHECK(ms < 500.0 * kTimeScale);  // unoptimised build
#endif
  }

  TEST_CASE("generate: files, determinism, usage errors") {
    const std::string dir =
        (std::filesystem::temp_directory_path() / "modelc_cli_generate").string();
    std::filesystem::remove_all(dir);
    const std::string spec = source_path("specs/examples/mini_resnet.yaml");
    const Run first = run({"generate", spec, "-o", dir, "--namespace", "my::nets"});
    REQUIRE(first.status == 0);
    const std::string hpp = read_file(dir + "/mini_resnet.hpp"),
                      cpp = read_file(dir + "/mini_resnet.cpp");
    CHECK(hpp.find("// generated by modelc from mini_resnet.yaml; do not edit.") == 0);
    CHECK(hpp.find("namespace my::nets {") != std::string::npos);
    CHECK(hpp.find("class MiniResNet final : public modelc::Model {") != std::string::npos);
    CHECK(cpp.find("conv2d_forward(") != std::string::npos);
    CHECK(cpp.find("batchnorm_backward(") != std::string::npos);
    // Unchanged output is not rewritten (builds do not recompile it).
    const auto stamp = std::filesystem::last_write_time(dir + "/mini_resnet.cpp");
    REQUIRE(run({"generate", spec, "-o", dir, "--namespace", "my::nets"}).status == 0);
    CHECK(std::filesystem::last_write_time(dir + "/mini_resnet.cpp") == stamp);
    CHECK(read_file(dir + "/mini_resnet.cpp") == cpp);

    CHECK(run({"generate", spec}).status == 2);  // no -o
    CHECK(run({"generate", spec, "-o"}).status == 2);
    const Run bad_ns = run({"generate", spec, "-o", dir, "--namespace", "my::9nets"});
    CHECK(bad_ns.status == 2);
    CHECK(bad_ns.err.find("'my::9nets' is not a C++ namespace name") != std::string::npos);
    // Namespaces that would break the generated code: keywords, the runtime's own,
    // names the generated code uses.
    for (const auto& [ns, message] : std::vector<std::pair<std::string, std::string>>{
             {"my::class", "'class' is a C++ keyword"},
             {"modelc", "'modelc' is the runtime's own namespace"},
             {"my::modelc", "'modelc' is the runtime's namespace"},
             {"my::std::nets", "'std' is a name that generated code uses"},
             {"__my", "reserved to the C++ implementation"}}) {
      CAPTURE(ns);
      const Run r = run({"generate", spec, "-o", dir, "--namespace", ns});
      CHECK(r.status == 2);
      CHECK(r.err.find(message) != std::string::npos);
    }
    CHECK(run({"generate", source_path("tests/compiler/bad_specs/unknown_op.yaml"), "-o", dir})
              .status == 1);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("summary --batch prints the memory plan") {
    const Run r = run({"summary", "--batch", "8", source_path("specs/alexnet.yaml")});
    REQUIRE(r.status == 0);
    CHECK(r.out.find("Memory plan (float32; per image and at batch 8):") != std::string::npos);
    CHECK(r.out.find("inference activation arena") != std::string::npos);
    CHECK(run({"summary", "--batch", "0", source_path("specs/alexnet.yaml")}).status == 2);
    CHECK(run({"summary", "--batch", "x", source_path("specs/alexnet.yaml")}).status == 2);
  }

  TEST_CASE("summary --batch is limited to 1..1,000,000 (docs/limits.md)") {
    const std::string spec = source_path("specs/examples/mini_alexnet.yaml");
    for (const char* bad : {"0", "1000001", "-5", "99999999999999999999", "x"}) {
      CAPTURE(bad);
      const Run r = run({"summary", "--batch", bad, spec});
      CHECK(r.status == 2);
      CHECK(r.err.find("--batch takes an integer in 1..1000000") != std::string::npos);
    }
    const Run ok = run({"summary", "--batch", "1000000", spec});
    CHECK(ok.status == 0);
    CHECK(ok.out.find("batch 1000000") != std::string::npos);
  }

  // The spec's file name is written into the generated files (#include "<stem>.hpp",
  // the banner): a quote, backslash or control character would break them, so
  // every command refuses it, check included.
  TEST_CASE("a spec file name that would break the generated files is an error for every command") {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / "modelc_cli_names";
    std::filesystem::create_directories(dir);
    const std::string text = "name: Q\ninput: {shape: [4]}\nlayers: [{op: dense, units: 2}]\n";
    for (const char* name : {"a\"b.yaml", "a\\b.yaml", "a\nb.yaml"}) {
      CAPTURE(name);
      const std::filesystem::path spec = dir / name;
      std::ofstream(spec) << text;
      for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
               {"check", spec.string()},
               {"generate", spec.string(), "-o", (dir / "out").string()}}) {
        const Run r = run(args);
        CHECK(r.status == 1);
        CHECK(r.err.find("the spec's file name cannot name the generated files") !=
              std::string::npos);
      }
      CHECK_FALSE(std::filesystem::exists(dir / "out"));
    }
    std::ofstream(dir / "fine-name_1.yaml") << text;
    CHECK(run({"check", (dir / "fine-name_1.yaml").string()}).status == 0);
    std::filesystem::remove_all(dir);
  }

}  // TEST_SUITE
