#!/usr/bin/env python3
"""Writes tests/import/data: the ONNX models the test suite imports without PyTorch.

For each small network of check_models.py (tiny_unet, up_net, mini_zoo), at
opset 13: NAME.onnx, NAME.input.bin (one seeded NCHW float32 image) and
NAME.expect.bin (PyTorch's float64 output, float64, in modelc's order: NHWC for
maps). And the broken models of the error tests (bad_*.onnx). Run it again
after changing those networks (needs python3-torch, python3-onnx):
  tests/import/make_fixtures.py
"""
import os, sys, warnings

import numpy as np
import onnx
from onnx import TensorProto, helper
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_models  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def good(name):
    model, size = check_models.make_model(name)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(2))
    check_models.export(model, name, x, os.path.join(DATA, f"{name}.onnx"), 13)
    want, _ = check_models.reference(model, x)
    x.numpy().astype(np.float32).tofile(os.path.join(DATA, f"{name}.input.bin"))
    want.astype(np.float64).tofile(os.path.join(DATA, f"{name}.expect.bin"))


def save(model, name):
    onnx.save(model, os.path.join(DATA, name))


def conv_model(nodes, inits, input_dims=(1, 3, 8, 8), out_dims=("N", 4, "H", "W")):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_dims))
    y = helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, out_dims)
    g = helper.make_graph(nodes, "g", [x], [y], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_fixtures")


def bad():
    w = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], np.zeros(108, np.float32).tolist())
    # Two ops modelc has no mapping for, and one after them that must not be reported.
    save(conv_model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
                     helper.make_node("Cos", ["c"], ["cos"], name="the_cos"),
                     helper.make_node("Relu", ["cos"], ["r"], name="after_cos"),
                     helper.make_node("Tile", ["r", "reps"], ["t"], name="the_tile")],
                    [w, helper.make_tensor("reps", TensorProto.INT64, [4], [1, 1, 1, 1])]),
         "bad_unsupported.onnx")
    # A dynamic batch and size.
    save(conv_model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv")], [w],
                    input_dims=("N", 3, "H", "W")), "bad_dynamic.onnx")
    # An initializer whose data disagrees with its shape (raw bytes for 100 floats, shape of 108).
    short = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], np.zeros(108, np.float32).tobytes(), raw=True)
    short.raw_data = np.zeros(100, np.float32).tobytes()
    save(conv_model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv")], [short]), "bad_size.onnx")
    # Weights as external data whose file is missing.
    m = conv_model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv")],
                   [helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], np.ones(108, np.float32).tobytes(), raw=True)])
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value="missing_weights.bin")
    save(m, "bad_external.onnx")
    # Truncated: the first 300 bytes of a real model.
    with open(os.path.join(DATA, "mini_zoo.onnx"), "rb") as f:
        head = f.read(300)
    with open(os.path.join(DATA, "bad_truncated.onnx"), "wb") as f:
        f.write(head)
    # Not ONNX at all.
    with open(os.path.join(DATA, "bad_not_onnx.onnx"), "w") as f:
        f.write("name: NotAModel\nlayers: []\n")


def main():
    warnings.filterwarnings("ignore")
    os.makedirs(DATA, exist_ok=True)
    for name in check_models.CUSTOM:
        good(name)
    bad()


if __name__ == "__main__":
    main()
