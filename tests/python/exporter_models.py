"""Models written the way framework exporters write them (PyTorch's torch.onnx.export is the
model): unfused BatchNormalization, Relu6 as Clip with Constant bounds, HardSwish written out,
x.view(x.size(0), -1) as a Shape/Gather/Unsqueeze/Concat/Reshape chain, LayerNorm and erf-GELU
in primitives, attention heads split and merged by dynamic Reshape chains, Constant nodes for
every scalar, Identity and Dropout left in. Used by the optimizer tests against ONNX Runtime."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.n = 0

    def name(self, hint):
        self.n += 1
        return f"/{hint}_{self.n}"

    def weight(self, *shape, scale=0.2, positive=False):
        a = self.rng.standard_normal(shape).astype(np.float32) * scale
        if positive:
            a = np.abs(a) + 0.5
        name = f"onnx::W_{len(self.inits)}"
        self.inits.append(numpy_helper.from_array(a, name))
        return name

    def node(self, op, inputs, n_out=1, **attrs):
        base = self.name(op)
        outs = [f"{base}_output_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=base, **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, value, dtype=np.float32):
        """A Constant node, as PyTorch emits for every scalar and shape piece."""
        arr = np.array(value, dtype=dtype)
        return self.node("Constant", [], value=numpy_helper.from_array(arr))

    def conv_bn(self, x, cin, cout, k=3, stride=1, group=1):
        w = self.weight(cout, cin // group, k, k)
        y = self.node("Conv", [x, w], kernel_shape=[k, k], pads=[k // 2] * 4, strides=[stride] * 2,
                      group=group)
        return self.node("BatchNormalization",
                         [y, self.weight(cout, positive=True), self.weight(cout), self.weight(cout),
                          self.weight(cout, positive=True)], epsilon=1e-5)

    def relu6(self, x):
        return self.node("Clip", [x, self.const(0.0), self.const(6.0)])

    def hardswish_written(self, x):
        # x * relu6(x + 3) / 6, as exported from a hand-written h_swish module.
        a = self.node("Add", [x, self.const(3.0)])
        c = self.relu6(a)
        m = self.node("Mul", [x, c])
        return self.node("Div", [m, self.const(6.0)])

    def flatten_view(self, x):
        # x.view(x.size(0), -1)
        s = self.node("Shape", [x])
        g = self.node("Gather", [s, self.const(0, np.int64)], axis=0)
        u = self.node("Unsqueeze", [g, self.const([0], np.int64)])
        shape = self.node("Concat", [u, self.const([-1], np.int64)], axis=0)
        return self.node("Reshape", [x, shape])

    def layer_norm_written(self, x, dim):
        mean = self.node("ReduceMean", [x], axes=[-1], keepdims=1)
        d = self.node("Sub", [x, mean])
        sq = self.node("Pow", [d, self.const(2.0)])
        var = self.node("ReduceMean", [sq], axes=[-1], keepdims=1)
        e = self.node("Add", [var, self.const(1e-12)])
        r = self.node("Sqrt", [e])
        n = self.node("Div", [d, r])
        g = self.node("Mul", [n, self.weight(dim, positive=True)])
        return self.node("Add", [g, self.weight(dim)])

    def gelu_erf_written(self, x):
        d = self.node("Div", [x, self.const(1.4142135381698608)])
        e = self.node("Erf", [d])
        a = self.node("Add", [e, self.const(1.0)])
        m = self.node("Mul", [x, a])
        return self.node("Mul", [m, self.const(0.5)])

    def linear(self, x, din, dout):
        mm = self.node("MatMul", [x, self.weight(din, dout)])
        return self.node("Add", [self.weight(dout), mm])

    def save(self, path, name, inputs, outputs, opset):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="pytorch", producer_version="2.1.0")
        onnx.save(model, path)


def resnet_style(path):
    b = Builder(11)
    x = "input"
    y = b.node("Relu", [b.conv_bn(x, 3, 16, 7, 2)])
    y = b.node("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    for cin, cout, stride in [(16, 16, 1), (16, 32, 2), (32, 32, 1)]:
        h = b.node("Relu", [b.conv_bn(y, cin, cout, 3, stride)])
        h = b.conv_bn(h, cout, cout, 3, 1)
        sc = y if (cin == cout and stride == 1) else b.conv_bn(y, cin, cout, 1, stride)
        y = b.node("Relu", [b.node("Add", [h, sc])])
    g = b.node("GlobalAveragePool", [y])
    f = b.flatten_view(g)
    logits = b.node("Gemm", [f, b.weight(10, 32), b.weight(10)], alpha=1.0, beta=1.0, transB=1)
    b.nodes.append(helper.make_node("Identity", [logits], ["output"], name="/Identity"))
    b.save(path, "torch_jit", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 64, 64])],
           [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 10])], 13)


def mobilenetv2_style(path):
    b = Builder(12)
    y = b.relu6(b.conv_bn("input", 3, 16, 3, 2))
    for cin, cout, stride, expand in [(16, 16, 1, 1), (16, 24, 2, 4), (24, 24, 1, 4), (24, 32, 2, 4)]:
        hidden = cin * expand
        h = y
        if expand != 1:
            h = b.relu6(b.conv_bn(h, cin, hidden, 1))
        h = b.relu6(b.conv_bn(h, hidden, hidden, 3, stride, group=hidden))
        h = b.conv_bn(h, hidden, cout, 1)
        y = b.node("Add", [y, h]) if (cin == cout and stride == 1) else h
    y = b.relu6(b.conv_bn(y, 32, 64, 1))
    g = b.node("GlobalAveragePool", [y])
    f = b.flatten_view(g)
    d = b.node("Dropout", [f])
    out = b.node("Gemm", [d, b.weight(10, 64), b.weight(10)], transB=1)
    b.nodes[-1].output[0] = "output"
    b.save(path, "torch_jit", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 64, 64])],
           [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 10])], 13)


def ocr_style(path):
    """A PP-OCR / DBNet-like detector: conv-bn with written-out HardSwish, an FPN that upsamples
    with Resize and concatenates, and a ConvTranspose head with Sigmoid."""
    b = Builder(13)
    c1 = b.hardswish_written(b.conv_bn("x", 3, 16, 3, 2))
    c2 = b.hardswish_written(b.conv_bn(c1, 16, 16, 3, 2, group=16))
    c2 = b.hardswish_written(b.conv_bn(c2, 16, 32, 1))
    c3 = b.hardswish_written(b.conv_bn(c2, 32, 32, 3, 2, group=32))
    c3 = b.hardswish_written(b.conv_bn(c3, 32, 32, 1))
    scales = b.const([1.0, 1.0, 2.0, 2.0])
    up3 = b.node("Resize", [c3, "", scales], mode="nearest", coordinate_transformation_mode="asymmetric",
                 nearest_mode="floor")
    p2 = b.node("Add", [b.conv_bn(c2, 32, 32, 1), up3])
    up2 = b.node("Resize", [p2, "", scales], mode="nearest", coordinate_transformation_mode="asymmetric",
                 nearest_mode="floor")
    cat = b.node("Concat", [c1, up2], axis=1)
    h = b.node("Relu", [b.conv_bn(cat, 48, 16, 3)])
    t = b.node("ConvTranspose", [h, b.weight(16, 1, 2, 2), b.weight(1)], strides=[2, 2], kernel_shape=[2, 2])
    b.node("Sigmoid", [t])
    b.nodes[-1].output[0] = "maps"
    b.save(path, "torch_jit", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 64, 64])],
           [helper.make_tensor_value_info("maps", TensorProto.FLOAT, ["batch", 1, 32, 32])], 13)


def bert_style(path, layers=2, hidden=64, heads=4, vocab=100, max_len=32):
    """Embeddings + LayerNorm, then BERT layers with exporter-style attention (heads split and
    merged by Shape/Gather/Unsqueeze/Concat/Reshape chains), written-out LayerNorm and erf-GELU."""
    b = Builder(14)
    dh = hidden // heads
    word = b.weight(vocab, hidden, scale=0.5)
    pos = b.weight(1, max_len, hidden, scale=0.5)
    emb = b.node("Gather", [word, "input_ids"], axis=0)
    seq = b.node("Gather", [b.node("Shape", ["input_ids"]), b.const(1, np.int64)], axis=0)
    pos_slice = b.node("Slice", [pos, b.const([0], np.int64), b.node("Unsqueeze", [seq, b.const([0], np.int64)]),
                                 b.const([1], np.int64)])
    h = b.layer_norm_written(b.node("Add", [emb, pos_slice]), hidden)
    # Additive mask from a 0/1 attention mask: (1 - mask) * -10000, shaped [batch, 1, 1, seq].
    m = b.node("Unsqueeze", [b.node("Unsqueeze", ["attention_mask", b.const([1], np.int64)]), b.const([2], np.int64)])
    m = b.node("Cast", [m], to=TensorProto.FLOAT)
    mask = b.node("Mul", [b.node("Sub", [b.const(1.0), m]), b.const(-10000.0)])

    def split_heads(x, k_transposed):
        s = b.node("Shape", [x])
        bsz = b.node("Unsqueeze", [b.node("Gather", [s, b.const(0, np.int64)], axis=0), b.const([0], np.int64)])
        sl = b.node("Unsqueeze", [b.node("Gather", [b.node("Shape", [x]), b.const(1, np.int64)], axis=0),
                                  b.const([0], np.int64)])
        shape = b.node("Concat", [bsz, sl, b.const([heads], np.int64), b.const([dh], np.int64)], axis=0)
        r = b.node("Reshape", [x, shape])
        return b.node("Transpose", [r], perm=[0, 2, 3, 1] if k_transposed else [0, 2, 1, 3])

    for _ in range(layers):
        q = split_heads(b.linear(h, hidden, hidden), False)
        k = split_heads(b.linear(h, hidden, hidden), True)
        v = split_heads(b.linear(h, hidden, hidden), False)
        scores = b.node("Div", [b.node("MatMul", [q, k]), b.const(float(np.sqrt(dh)))])
        probs = b.node("Softmax", [b.node("Add", [scores, mask])], axis=-1)
        ctx = b.node("Transpose", [b.node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        s = b.node("Shape", [ctx])
        bsz = b.node("Unsqueeze", [b.node("Gather", [s, b.const(0, np.int64)], axis=0), b.const([0], np.int64)])
        sl = b.node("Unsqueeze", [b.node("Gather", [b.node("Shape", [ctx]), b.const(1, np.int64)], axis=0),
                                  b.const([0], np.int64)])
        merged = b.node("Reshape", [ctx, b.node("Concat", [bsz, sl, b.const([hidden], np.int64)], axis=0)])
        attn = b.linear(merged, hidden, hidden)
        h = b.layer_norm_written(b.node("Add", [attn, h]), hidden)
        ff = b.gelu_erf_written(b.linear(h, hidden, 4 * hidden))
        ff = b.linear(ff, 4 * hidden, hidden)
        h = b.layer_norm_written(b.node("Add", [ff, h]), hidden)
    b.nodes[-1].output[0] = "last_hidden_state"
    b.save(path, "torch_jit",
           [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
           [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden])], 14)


GENERATORS = {
    "resnet_style": resnet_style,
    "mobilenetv2_style": mobilenetv2_style,
    "ocr_style": ocr_style,
    "bert_style": bert_style,
}
