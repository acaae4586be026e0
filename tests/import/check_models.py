#!/usr/bin/env python3
"""Imports PyTorch models through ONNX and checks modelc's output against PyTorch's.

For each model: seeded random weights, batchnorm statistics randomised (so they
matter), eval mode; torch.onnx.export at the given opset; `modelc import`;
`modelc generate`; the generated code built with tests/import/run_imported.cpp
and the runtime; one forward on a seeded random image. The error is
max |modelc - torch64| / max |torch64| against PyTorch in float64; PyTorch's
own float32 error is printed beside it as a yardstick. Fails (exit 1) when an
error exceeds --tolerance (1e-4).

  tests/import/check_models.py --build build                 # the whole list
  tests/import/check_models.py --build build resnet18 tiny_unet --opsets 13
Needs python3-torch, python3-torchvision and python3-onnx (scripts/deps.sh --import).
"""
import argparse, os, subprocess, sys, time

import warnings
import numpy as np
import torch
import torch.nn as nn
import torchvision

TORCHVISION = ["alexnet", "vgg11_bn", "resnet18", "resnet50", "googlenet", "squeezenet1_1",
               "densenet121", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0",
               "shufflenet_v2_x1_0", "convnext_tiny"]


class TinyUNet(nn.Module):
    """A U-Net-style encoder-decoder: skips by concat, ConvTranspose up, a map output."""

    def __init__(self):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU())
        self.e1, self.e2, self.mid = block(3, 8), block(8, 16), block(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.d2 = block(32, 16)
        self.up1 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.d1 = block(16, 8)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(self.pool(e1))
        m = self.mid(self.pool(e2))
        d2 = self.d2(torch.cat([self.up2(m), e2], 1))
        d1 = self.d1(torch.cat([self.up1(d2), e1], 1))
        return torch.sigmoid(self.head(d1))


class UpNet(nn.Module):
    """ConvTranspose (padding, output_padding), Resize nearest and bilinear, asymmetric pads,
    standalone batchnorm, LeakyReLU, ELU, GELU, SiLU, hardswish, avg pool with ceil/count_include_pad."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 12, 3, stride=2, padding=1, dilation=1)
        self.bn = nn.BatchNorm2d(12)
        self.ct = nn.ConvTranspose2d(12, 10, 3, stride=2, padding=1, output_padding=1)
        self.c2 = nn.Conv2d(10, 10, 3, groups=5, dilation=2, padding=2)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)
        self.c3 = nn.Conv2d(10, 16, (3, 2))
        self.fc = nn.Linear(16, 7)

    def forward(self, x):
        y = nn.functional.leaky_relu(self.bn(self.c1(x)), 0.1)
        y = nn.functional.elu(self.ct(y))
        y = nn.functional.interpolate(y, scale_factor=2, mode="nearest")
        y = nn.functional.gelu(self.c2(nn.functional.pad(y, (1, 0, 2, 1))))
        y = nn.functional.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        y = nn.functional.silu(self.pool(y))
        y = nn.functional.hardswish(self.c3(y))
        y = y.mean([2, 3])
        return torch.softmax(self.fc(y), dim=1)


class MiniZoo(nn.Module):
    """The v2 patterns at a small size: relu6 (Clip), depthwise + hardswish, an SE block with
    hardsigmoid, ShuffleNet's chunk + channel shuffle, a dilated grouped conv, a ConvNeXt block
    (permute, LayerNorm, Linear, erf GELU, layer scale), standalone batchnorm, a ceil-mode max
    pool, and a flatten of a 4x4 NCHW map into a Linear (its rows reordered by the importer)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
        self.dw = nn.Sequential(nn.Conv2d(16, 16, 3, 1, 1, groups=16, bias=False), nn.BatchNorm2d(16),
                                nn.Hardswish())
        self.se1, self.se2 = nn.Conv2d(16, 4, 1), nn.Conv2d(4, 16, 1)
        self.branch = nn.Sequential(nn.Conv2d(8, 8, 1), nn.ReLU())
        self.down = nn.Conv2d(16, 24, 3, stride=2, padding=2, dilation=2, groups=4)
        self.ln_dw = nn.Conv2d(24, 24, 7, padding=3, groups=24)
        self.ln = nn.LayerNorm(24, eps=1e-6)
        self.fc1, self.fc2 = nn.Linear(24, 48), nn.Linear(48, 24)
        self.scale = nn.Parameter(torch.rand(24, 1, 1) + 0.5)
        self.bn = nn.BatchNorm2d(24)
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.head = nn.Sequential(nn.Linear(24 * 4 * 4, 32), nn.Dropout(0.2), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        x = self.dw(self.stem(x))
        s = nn.functional.adaptive_avg_pool2d(x, 1)
        x = x * nn.functional.hardsigmoid(self.se2(torch.relu(self.se1(s))))
        a, b = x.chunk(2, dim=1)
        x = torch.cat([a, self.branch(b)], 1)
        n, c, h, w = x.size()
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous().view(n, -1, h, w)
        x = self.down(x)
        y = self.ln_dw(x).permute(0, 2, 3, 1)
        y = self.fc2(nn.functional.gelu(self.fc1(self.ln(y)))).permute(0, 3, 1, 2)
        x = x + self.scale * y
        x = self.pool(torch.relu(self.bn(x)))
        return self.head(torch.flatten(x, 1))


# name: (class, image size, torch.onnx.export arguments). TinyUNet is exported
# with TrainingMode.PRESERVE, which keeps its batchnorms after the convs (the
# default eval export folds them into the convs' weights).
CUSTOM = {"tiny_unet": (TinyUNet, 64, {"training": torch.onnx.TrainingMode.PRESERVE}),
          "up_net": (UpNet, 40, {}), "mini_zoo": (MiniZoo, 32, {})}


def make_model(name):
    torch.manual_seed(0)
    if name in CUSTOM:
        model, size = CUSTOM[name][0](), CUSTOM[name][1]
    else:
        kw = {"weights": None}
        if name == "googlenet":
            kw.update(aux_logits=False, init_weights=True)
        if name == "inception_v3":
            kw.update(aux_logits=False, init_weights=True)
        model, size = getattr(torchvision.models, name)(**kw), 224
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return model.eval(), size


def export(model, name, x, path, opset):
    kw = CUSTOM[name][2] if name in CUSTOM else {}
    torch.onnx.export(model, x, path, opset_version=opset, **kw)


def reference(model, x):
    """PyTorch's output in float64 and float32, in modelc's order (NHWC for maps)."""
    with torch.no_grad():
        ref64 = model.double()(x.double()).numpy()
        ref32 = model.float()(x).double().numpy()
    if ref64.ndim == 4:
        ref64, ref32 = ref64.transpose(0, 2, 3, 1), ref32.transpose(0, 2, 3, 1)
    return ref64, ref32


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def check(name, opset, args, root):
    work = os.path.join(args.out, f"{name}_{opset}")
    os.makedirs(work, exist_ok=True)
    model, size = make_model(name)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(2))
    onnx_path = os.path.join(work, f"{name}.onnx")
    export(model, name, x, onnx_path, opset)
    want, want32 = reference(model, x)
    spec, weights = os.path.join(work, f"{name}.yaml"), os.path.join(work, f"{name}.safetensors")
    cls = "Imported_" + name
    t0 = time.time()
    run([args.modelc, "import", onnx_path, "-o", spec, "--weights", weights, "--name", cls])
    t_import = time.time() - t0
    gen = os.path.join(work, "gen")
    t0 = time.time()
    run([args.modelc, "generate", spec, "-o", gen])
    exe = os.path.join(work, "run")
    run(["g++", "-std=c++20", "-O2", "-march=native", "-fopenmp",
         f"-I{root}/runtime/include", f"-I{gen}",
         f'-DMODELC_IMPORT_HEADER="{name}.hpp"', f"-DMODELC_IMPORT_CLASS={cls}",
         os.path.join(root, "tests/import/run_imported.cpp"), os.path.join(gen, f"{name}.cpp"),
         os.path.join(args.build, "runtime/libmodelc_runtime.a"), "-o", exe])
    t_build = time.time() - t0
    inp, outp = os.path.join(work, "input.bin"), os.path.join(work, "output.bin")
    x.numpy().astype(np.float32).tofile(inp)
    run([exe, weights, inp, outp])
    got = np.fromfile(outp, dtype=np.float32).astype(np.float64)
    if got.size != want.size:
        raise RuntimeError(f"modelc gave {got.size} values, PyTorch {want.size}")
    scale = np.abs(want).max()
    err = np.abs(got - want.ravel()).max() / scale
    err32 = np.abs(want32.ravel() - want.ravel()).max() / scale
    return err, err32, t_import, t_build


def read_safetensors(path):
    import json, struct
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for k, v in header.items():
        s, e = v["data_offsets"]
        out[k] = np.frombuffer(b[8 + n + s:8 + n + e], dtype=np.float32).reshape(v["shape"])
    return out, meta


def write_safetensors(path, tensors, meta):
    import json, struct
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        a = np.ascontiguousarray(tensors[k], dtype=np.float32)
        header[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        blobs.append(a.tobytes())
        off += a.nbytes
    header["__metadata__"] = meta
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def finetune(args, root, name="resnet18", size=64, classes=5, steps=8, batch=4):
    """Imports a torchvision model, replaces its classifier head in the YAML, trains a few
    steps with the generated train_step, checks that the loss falls, then loads the trained
    weights back into PyTorch through the __metadata__ mapping and compares the two forwards."""
    work = os.path.join(args.out, f"finetune_{name}")
    os.makedirs(work, exist_ok=True)
    model, _ = make_model(name)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(2))
    onnx_path = os.path.join(work, f"{name}.onnx")
    # PRESERVE keeps batchnorms unfused, so every initializer is a state_dict entry.
    torch.onnx.export(model, x, onnx_path, opset_version=13, training=torch.onnx.TrainingMode.PRESERVE)
    spec, weights = os.path.join(work, "imported.yaml"), os.path.join(work, "imported.safetensors")
    run([args.modelc, "import", onnx_path, "-o", spec, "--weights", weights, "--name", "FineTuned"])
    # The head: the last layer (fc, 1000 units) becomes `head` with `classes` units.
    text = open(spec).read()
    last = [l for l in text.splitlines() if l.startswith("  - {op: dense")][-1]
    old_name = last.split("name: ")[1].split(",")[0]
    new_line = last.replace(f"name: {old_name}", "name: head").replace("units: 1000", f"units: {classes}")
    new_line = new_line.replace("expect: [1000]", f"expect: [{classes}]")
    text = text.replace(last, new_line).replace(f"{{layer: {old_name}}}", "{layer: head}")
    tuned_spec = os.path.join(work, "finetune.yaml")
    open(tuned_spec, "w").write(text)
    tensors, meta = read_safetensors(weights)
    rng = np.random.default_rng(3)
    in_features = tensors.pop(f"{old_name}.kernel").shape[0]
    tensors.pop(f"{old_name}.bias")
    tensors["head.kernel"] = rng.normal(0, 0.05, (in_features, classes)).astype(np.float32)
    tensors["head.bias"] = np.zeros(classes, np.float32)
    meta = {k: v for k, v in meta.items() if not k.startswith(old_name + ".")}
    meta["head.kernel"] = "onnx=fc.weight; to_modelc=x.T; to_onnx=x.T"
    meta["head.bias"] = "onnx=fc.bias; to_modelc=x; to_onnx=x"
    start = os.path.join(work, "start.safetensors")
    write_safetensors(start, tensors, meta)
    gen = os.path.join(work, "gen")
    run([args.modelc, "generate", tuned_spec, "-o", gen])
    common = ["g++", "-std=c++20", "-O2", "-march=native", "-fopenmp", f"-I{root}/runtime/include",
              f"-I{gen}", '-DMODELC_IMPORT_HEADER="finetune.hpp"', "-DMODELC_IMPORT_CLASS=FineTuned",
              os.path.join(gen, "finetune.cpp"), os.path.join(args.build, "runtime/libmodelc_runtime.a")]
    run(common + [os.path.join(root, "tests/import/finetune.cpp"), "-o", os.path.join(work, "finetune")])
    run(common + [os.path.join(root, "tests/import/run_imported.cpp"), "-o", os.path.join(work, "run")])
    g = torch.Generator().manual_seed(4)
    images = torch.randn(batch, 3, size, size, generator=g)
    labels = torch.arange(batch, dtype=torch.int32) % classes
    data = os.path.join(work, "data.bin")
    with open(data, "wb") as f:
        f.write(np.int32(batch).tobytes() + images.numpy().astype(np.float32).tobytes()
                + labels.numpy().astype(np.int32).tobytes())
    tuned = os.path.join(work, "tuned.safetensors")
    out = run([os.path.join(work, "finetune"), start, data, str(steps), tuned])
    losses = [float(l.split()[-1]) for l in out.splitlines()]
    # Back into PyTorch: every tensor through its to_onnx expression, by initializer name.
    trained, _ = read_safetensors(tuned)
    state = {}
    for k, v in trained.items():
        fields = dict(part.split("=", 1) for part in meta[k].split("; "))
        state[fields["onnx"]] = torch.from_numpy(np.array(eval(fields["to_onnx"], {"x": v, "np": np}),
                                                          dtype=np.float32))
    torch_model, _ = make_model(name)
    setattr(torch_model, "fc", nn.Linear(in_features, classes))
    missing = [k for k in torch_model.state_dict() if k not in state and not k.endswith("num_batches_tracked")]
    torch_model.load_state_dict({**torch_model.state_dict(), **state}, strict=True)
    torch_model.eval()
    probe = images[:1]
    inp, outp = os.path.join(work, "probe.bin"), os.path.join(work, "probe_out.bin")
    probe.numpy().astype(np.float32).tofile(inp)
    run([os.path.join(work, "run"), tuned, inp, outp])
    got = np.fromfile(outp, dtype=np.float32).astype(np.float64)
    with torch.no_grad():
        want = torch_model.double()(probe.double()).numpy().ravel()
    err = np.abs(got - want).max() / np.abs(want).max()
    return losses, missing, err


def main():
    warnings.filterwarnings("ignore")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="*", default=TORCHVISION + list(CUSTOM))
    p.add_argument("--build", default=os.path.join(root, "build"))
    p.add_argument("--modelc", default=None)
    p.add_argument("--out", default=None)
    p.add_argument("--opsets", default="13,17")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--finetune", action="store_true",
                   help="also fine-tune an imported resnet18 in C++ and load the result back into PyTorch")
    args = p.parse_args()
    args.modelc = args.modelc or os.path.join(args.build, "compiler/modelc")
    args.out = args.out or os.path.join(args.build, "import_check")
    torch.set_num_threads(2)
    failed = 0
    print(f"{'model':22} opset  rel.err vs torch64  torch32's own  import s  generate+build s")
    for name in args.models:
        for opset in [int(o) for o in args.opsets.split(",")]:
            try:
                err, err32, ti, tb = check(name, opset, args, root)
                ok = err <= args.tolerance
                failed += not ok
                print(f"{name:22} {opset:5}  {err:18.2e}  {err32:13.2e}  {ti:8.1f}  {tb:16.1f}"
                      f"{'' if ok else '  FAIL'}", flush=True)
            except Exception as e:  # report and go on with the others
                failed += 1
                print(f"{name:22} {opset:5}  FAILED: {e}", flush=True)
    if args.finetune:
        losses, missing, err = finetune(args, root)
        falls = losses[-1] < losses[0]
        print(f"fine-tune resnet18 (new 5-class head, 8 SGD steps, batch 4): loss "
              f"{' '.join(f'{l:.3f}' for l in losses)}; weights back in PyTorch: "
              f"{len(missing)} tensors unmapped, forward agrees to {err:.2e}")
        failed += (not falls) + bool(missing) + (err > args.tolerance)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
