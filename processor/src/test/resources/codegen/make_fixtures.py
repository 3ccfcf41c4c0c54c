#!/usr/bin/env python3
"""Writes the tiny hand-made IR fixtures of the code generator tests (run from this directory).
Weights are deterministic pseudo-random values; the tests compare against the reference evaluator,
so the exact numbers do not matter."""
import random, struct

def dims(shape):
    return "".join(f"<dim>{d}</dim>" for d in shape)

class Net:
    def __init__(self, name):
        self.name, self.layers, self.edges, self.bin = name, [], [], bytearray()
        self.first_out = {}
    def layer(self, lid, name, typ, data="", inputs=(), outputs=(), version="opset1"):
        self.first_out[lid] = len(inputs)
        ins = "".join(f'<port id="{i}" precision="FP32">{dims(s)}</port>' for i, s in enumerate(inputs))
        outs = "".join(f'<port id="{len(inputs)+i}" precision="{p}">{dims(s)}</port>' for i, (s, p) in enumerate(outputs))
        self.layers.append(f'    <layer id="{lid}" name="{name}" type="{typ}" version="{version}">'
                           + (f'<data {data}/>' if data else '')
                           + (f'<input>{ins}</input>' if ins else '') + (f'<output>{outs}</output>' if outs else '') + '</layer>')
    def const(self, lid, name, shape, values, et="f32"):
        fmt = {"f32": "<f", "i64": "<q"}[et]
        off = len(self.bin)
        for v in values:
            self.bin += struct.pack(fmt, v)
        size = len(self.bin) - off
        shp = ",".join(map(str, shape))
        prec = {"f32": "FP32", "i64": "I64"}[et]
        self.layer(lid, name, "Const", f'element_type="{et}" offset="{off}" shape="{shp}" size="{size}"',
                   outputs=[(shape, prec)])
    def edge(self, a, ap, b, bp):
        """ap is ignored: the edge leaves from a's first output port."""
        ap = self.first_out[a]
        self.edges.append(f'    <edge from-layer="{a}" from-port="{ap}" to-layer="{b}" to-port="{bp}"/>')
    def write(self):
        with open(self.name + ".xml", "w") as f:
            f.write(f'<?xml version="1.0"?>\n<net name="{self.name}" version="11">\n  <layers>\n'
                    + "\n".join(self.layers) + "\n  </layers>\n  <edges>\n" + "\n".join(self.edges)
                    + "\n  </edges>\n</net>\n")
        with open(self.name + ".bin", "wb") as f:
            f.write(self.bin)

def rnd(n, scale=1.0):
    return [random.uniform(-scale, scale) for _ in range(n)]

random.seed(3)
n = Net("tiny_cnn")
n.layer(0, "data", "Parameter", 'element_type="f32" shape="1,2,6,6"', outputs=[([1, 2, 6, 6], "FP32")])
n.const(1, "conv1/weights", [4, 2, 3, 3], rnd(72, 0.5))
n.layer(2, "conv1", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"',
        inputs=[[1, 2, 6, 6], [4, 2, 3, 3]], outputs=[([1, 4, 6, 6], "FP32")])
n.const(3, "conv1/bias", [1, 4, 1, 1], rnd(4, 0.2))
n.layer(4, "conv1/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 4, 6, 6], [1, 4, 1, 1]], outputs=[([1, 4, 6, 6], "FP32")])
n.const(5, "prelu/slope", [4], [0.1, 0.2, 0.25, 0.3])
n.layer(6, "prelu", "PReLU", inputs=[[1, 4, 6, 6], [4]], outputs=[([1, 4, 6, 6], "FP32")])
n.const(7, "fq/il", [], [-1.0]); n.const(8, "fq/ih", [], [1.5]); n.const(9, "fq/ol", [], [-1.0]); n.const(10, "fq/oh", [], [1.5])
n.layer(11, "fq", "FakeQuantize", 'levels="256" auto_broadcast="numpy"', inputs=[[1, 4, 6, 6], [], [], [], []],
        outputs=[([1, 4, 6, 6], "FP32")])
n.const(12, "dw/weights", [4, 1, 1, 3, 3], rnd(36, 0.5))
n.layer(13, "dw", "GroupConvolution", 'strides="2,2" dilations="1,1" pads_begin="1,1" pads_end="0,0" auto_pad="explicit"',
        inputs=[[1, 4, 6, 6], [4, 1, 1, 3, 3]], outputs=[([1, 4, 3, 3], "FP32")])
n.layer(14, "pool", "MaxPool", 'kernel="2,2" strides="1,1" pads_begin="0,0" pads_end="0,0" rounding_type="floor" auto_pad="explicit"',
        inputs=[[1, 4, 3, 3]], outputs=[([1, 4, 2, 2], "FP32")])
n.const(15, "flatten/shape", [2], [1, 16], "i64")
n.layer(16, "flatten", "Reshape", 'special_zero="false"', inputs=[[1, 4, 2, 2], [2]], outputs=[([1, 16], "FP32")])
n.const(17, "fc/weights", [3, 16], rnd(48, 0.5))
n.layer(18, "fc", "MatMul", 'transpose_a="false" transpose_b="true"', inputs=[[1, 16], [3, 16]], outputs=[([1, 3], "FP32")])
n.layer(19, "probs", "SoftMax", 'axis="1"', inputs=[[1, 3]], outputs=[([1, 3], "FP32")])
n.layer(20, "probs/sink_port_0", "Result", inputs=[[1, 3]])
n.layer(21, "95", "Sigmoid", inputs=[[1, 4, 2, 2]], outputs=[([1, 4, 2, 2], "FP32")])
n.layer(22, "95/sink_port_0", "Result", inputs=[[1, 4, 2, 2]])
for a, ap, b, bp in [(0,0,2,0),(1,0,2,1),(2,1,4,0),(3,0,4,1),(4,2,6,0),(5,0,6,1),(6,2,11,0),(7,0,11,1),(8,0,11,2),
                     (9,0,11,3),(10,0,11,4),(11,5,13,0),(12,0,13,1),(13,2,14,0),(14,1,16,0),(15,0,16,1),(16,2,18,0),
                     (17,0,18,1),(18,2,19,0),(19,1,20,0),(14,1,21,0),(21,1,22,0)]:
    n.edge(a, ap, b, bp)
n.write()

# one input, one output, an op without a kernel (Erf) between them
u = Net("unsupported_op")
u.layer(0, "x", "Parameter", 'element_type="f32" shape="1,4"', outputs=[([1, 4], "FP32")])
u.layer(1, "strange", "Erf", inputs=[[1, 4]], outputs=[([1, 4], "FP32")])
u.layer(2, "y", "Result", inputs=[[1, 4]])
u.edge(0, 0, 1, 0); u.edge(1, 1, 2, 0)
u.write()

# two inputs bound by name: out = left - right * scale (order matters), plus a ReLU'd copy as a second output
t = Net("two_inputs")
t.layer(0, "left", "Parameter", 'element_type="f32" shape="1,3"', outputs=[([1, 3], "FP32")])
t.layer(1, "right", "Parameter", 'element_type="f32" shape="1,3"', outputs=[([1, 3], "FP32")])
t.const(2, "scale", [1], [2.0])
t.layer(3, "scaled", "Multiply", 'auto_broadcast="numpy"', inputs=[[1, 3], [1]], outputs=[([1, 3], "FP32")])
t.layer(4, "difference", "Subtract", 'auto_broadcast="numpy"', inputs=[[1, 3], [1, 3]], outputs=[([1, 3], "FP32")])
t.layer(5, "difference/sink_port_0", "Result", inputs=[[1, 3]])
t.layer(6, "positive", "ReLU", inputs=[[1, 3]], outputs=[([1, 3], "FP32")])
t.layer(7, "positive/sink_port_0", "Result", inputs=[[1, 3]])
for a, b, bp in [(1, 3, 0), (2, 3, 1), (0, 4, 0), (3, 4, 1), (4, 5, 0), (4, 6, 0), (6, 7, 0)]:
    t.edge(a, 0, b, bp)
t.write()

# the kernels the shared models do not use: AvgPool (both pad modes), Clamp, Divide, Concat, Transpose, ReduceMean,
# ConvolutionBackpropData
random.seed(4)
o = Net("tiny_ops")
o.layer(0, "data", "Parameter", 'element_type="f32" shape="1,2,5,5"', outputs=[([1, 2, 5, 5], "FP32")])
pool = 'kernel="3,3" strides="2,2" pads_begin="1,1" pads_end="1,1" rounding_type="ceil" auto_pad="explicit"'
o.layer(1, "avg_incl", "AvgPool", pool + ' exclude-pad="false"', inputs=[[1, 2, 5, 5]], outputs=[([1, 2, 3, 3], "FP32")])
o.layer(2, "avg_excl", "AvgPool", pool + ' exclude-pad="true"', inputs=[[1, 2, 5, 5]], outputs=[([1, 2, 3, 3], "FP32")])
o.layer(3, "cat", "Concat", 'axis="1"', inputs=[[1, 2, 3, 3], [1, 2, 3, 3]], outputs=[([1, 4, 3, 3], "FP32")])
o.layer(4, "clamp", "Clamp", 'min="-0.5" max="0.7"', inputs=[[1, 4, 3, 3]], outputs=[([1, 4, 3, 3], "FP32")])
o.const(5, "perm", [4], [0, 2, 3, 1], "i64")
o.layer(6, "nhwc", "Transpose", inputs=[[1, 4, 3, 3], [4]], outputs=[([1, 3, 3, 4], "FP32")])
o.const(7, "axes", [2], [1, 2], "i64")
o.layer(8, "mean", "ReduceMean", 'keep_dims="false"', inputs=[[1, 3, 3, 4], [2]], outputs=[([1, 4], "FP32")])
o.const(9, "divisor", [4], [1.0, 3.0, -7.0, 0.25])
o.layer(10, "out", "Divide", 'auto_broadcast="numpy"', inputs=[[1, 4], [4]], outputs=[([1, 4], "FP32")])
o.layer(11, "out/sink_port_0", "Result", inputs=[[1, 4]])
o.const(12, "up/weights", [2, 3, 2, 2], rnd(24, 0.5))
o.layer(13, "up", "ConvolutionBackpropData", 'strides="2,2" dilations="1,1" pads_begin="0,0" pads_end="0,0" auto_pad="explicit" output_padding="0,0"',
        inputs=[[1, 2, 5, 5], [2, 3, 2, 2]], outputs=[([1, 3, 10, 10], "FP32")])
o.layer(14, "up/sink_port_0", "Result", inputs=[[1, 3, 10, 10]])
for a, b, bp in [(0, 1, 0), (0, 2, 0), (1, 3, 0), (2, 3, 1), (3, 4, 0), (4, 6, 0), (5, 6, 1), (6, 8, 0), (7, 8, 1),
                 (8, 10, 0), (9, 10, 1), (10, 11, 0), (0, 13, 0), (12, 13, 1), (13, 14, 0)]:
    o.edge(a, 0, b, bp)
o.write()

# a float model (no FakeQuantize) for the fast f32 kernels: every TiledConvolution path (3x3 pad 1 wide layout,
# depthwise, 1x1 stride 2 gathered, dilation 2 with asymmetric pads) and both MatMul forms (transpose_b, plain)
random.seed(5)
f = Net("tiny_float_cnn")
f.layer(0, "data", "Parameter", 'element_type="f32" shape="1,3,9,11"', outputs=[([1, 3, 9, 11], "FP32")])
f.const(1, "conv1/weights", [8, 3, 3, 3], rnd(216, 0.5))
f.layer(2, "conv1", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"',
        inputs=[[1, 3, 9, 11], [8, 3, 3, 3]], outputs=[([1, 8, 9, 11], "FP32")])
f.const(3, "dw/weights", [8, 1, 1, 3, 3], rnd(72, 0.5))
f.layer(4, "dw", "GroupConvolution", 'strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"',
        inputs=[[1, 8, 9, 11], [8, 1, 1, 3, 3]], outputs=[([1, 8, 9, 11], "FP32")])
f.const(5, "pw/weights", [6, 8, 1, 1], rnd(48, 0.5))
f.layer(6, "pw", "Convolution", 'strides="2,2" dilations="1,1" pads_begin="0,0" pads_end="0,0" auto_pad="explicit"',
        inputs=[[1, 8, 9, 11], [6, 8, 1, 1]], outputs=[([1, 6, 5, 6], "FP32")])
f.const(7, "dil/weights", [5, 6, 3, 3], rnd(270, 0.5))
f.layer(8, "dil", "Convolution", 'strides="1,1" dilations="2,2" pads_begin="1,2" pads_end="2,1" auto_pad="explicit"',
        inputs=[[1, 6, 5, 6], [5, 6, 3, 3]], outputs=[([1, 5, 4, 5], "FP32")])
f.layer(9, "dil/sink_port_0", "Result", inputs=[[1, 5, 4, 5]])
f.const(10, "flatten/shape", [2], [1, 100], "i64")
f.layer(11, "flatten", "Reshape", 'special_zero="false"', inputs=[[1, 5, 4, 5], [2]], outputs=[([1, 100], "FP32")])
f.const(12, "fc1/weights", [4, 100], rnd(400, 0.5))
f.layer(13, "fc1", "MatMul", 'transpose_a="false" transpose_b="true"', inputs=[[1, 100], [4, 100]], outputs=[([1, 4], "FP32")])
f.const(14, "fc2/weights", [4, 3], rnd(12, 0.5))
f.layer(15, "fc2", "MatMul", 'transpose_a="false" transpose_b="false"', inputs=[[1, 4], [4, 3]], outputs=[([1, 3], "FP32")])
f.layer(16, "fc2/sink_port_0", "Result", inputs=[[1, 3]])
for a, b, bp in [(0, 2, 0), (1, 2, 1), (2, 4, 0), (3, 4, 1), (4, 6, 0), (5, 6, 1), (6, 8, 0), (7, 8, 1), (8, 9, 0),
                 (8, 11, 0), (10, 11, 1), (11, 13, 0), (12, 13, 1), (13, 15, 0), (14, 15, 1), (15, 16, 0)]:
    f.edge(a, 0, b, bp)
f.write()

# a float model whose convolutions take the per-channel layers after them into their epilogue (ConvEpilogues):
# conv1 -> bias -> ReLU -> scale -> shift (a batch norm after the ReLU; the shift's constant at input 0, as [C,1,1],
# so the planner does not compute it in place and it stays a pass of its own);
# conv2 -> scalar scale -> bias, whose output has a second reader (a model output), so the ReLU after it runs alone;
# conv3 -> an Add whose constant varies along the width (not per channel: nothing fused) -> ReLU
random.seed(6)
e = Net("tiny_fused_cnn")
e.layer(0, "data", "Parameter", 'element_type="f32" shape="1,3,9,11"', outputs=[([1, 3, 9, 11], "FP32")])
e.const(1, "conv1/weights", [8, 3, 3, 3], rnd(216, 0.5))
e.layer(2, "conv1", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"',
        inputs=[[1, 3, 9, 11], [8, 3, 3, 3]], outputs=[([1, 8, 9, 11], "FP32")])
e.const(3, "conv1/bias", [1, 8, 1, 1], rnd(8, 0.5))
e.layer(4, "conv1/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 8, 9, 11], [1, 8, 1, 1]], outputs=[([1, 8, 9, 11], "FP32")])
e.layer(5, "relu1", "ReLU", inputs=[[1, 8, 9, 11]], outputs=[([1, 8, 9, 11], "FP32")])
e.const(6, "bn1/scale", [1, 8, 1, 1], rnd(8, 2.0))
e.layer(7, "bn1/mul", "Multiply", 'auto_broadcast="numpy"', inputs=[[1, 8, 9, 11], [1, 8, 1, 1]], outputs=[([1, 8, 9, 11], "FP32")])
e.const(8, "bn1/shift", [8, 1, 1], rnd(8, 0.5))
e.layer(9, "bn1/add", "Add", 'auto_broadcast="numpy"', inputs=[[8, 1, 1], [1, 8, 9, 11]], outputs=[([1, 8, 9, 11], "FP32")])
e.const(10, "conv2/weights", [6, 8, 1, 1], rnd(48, 0.5))
e.layer(11, "conv2", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="0,0" pads_end="0,0" auto_pad="explicit"',
        inputs=[[1, 8, 9, 11], [6, 8, 1, 1]], outputs=[([1, 6, 9, 11], "FP32")])
e.const(12, "conv2/scale", [], [0.75])
e.layer(13, "conv2/mul", "Multiply", 'auto_broadcast="numpy"', inputs=[[1, 6, 9, 11], []], outputs=[([1, 6, 9, 11], "FP32")])
e.const(14, "conv2/bias", [1, 6, 1, 1], rnd(6, 0.5))
e.layer(15, "conv2/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 6, 9, 11], [1, 6, 1, 1]], outputs=[([1, 6, 9, 11], "FP32")])
e.layer(16, "relu2", "ReLU", inputs=[[1, 6, 9, 11]], outputs=[([1, 6, 9, 11], "FP32")])
e.layer(17, "conv2/add/sink_port_0", "Result", inputs=[[1, 6, 9, 11]])
e.const(18, "conv3/weights", [4, 6, 3, 3], rnd(216, 0.5))
e.layer(19, "conv3", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"',
        inputs=[[1, 6, 9, 11], [4, 6, 3, 3]], outputs=[([1, 4, 9, 11], "FP32")])
e.const(20, "conv3/ramp", [1, 1, 1, 11], rnd(11, 0.5))
e.layer(21, "conv3/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 4, 9, 11], [1, 1, 1, 11]], outputs=[([1, 4, 9, 11], "FP32")])
e.layer(22, "relu3", "ReLU", inputs=[[1, 4, 9, 11]], outputs=[([1, 4, 9, 11], "FP32")])
e.layer(23, "relu3/sink_port_0", "Result", inputs=[[1, 4, 9, 11]])
for a, b, bp in [(0, 2, 0), (1, 2, 1), (2, 4, 0), (3, 4, 1), (4, 5, 0), (5, 7, 0), (6, 7, 1), (8, 9, 0), (7, 9, 1),
                 (9, 11, 0), (10, 11, 1), (11, 13, 0), (12, 13, 1), (13, 15, 0), (14, 15, 1), (15, 16, 0), (15, 17, 0),
                 (16, 19, 0), (18, 19, 1), (19, 21, 0), (20, 21, 1), (21, 22, 0), (22, 23, 0)]:
    e.edge(a, 0, b, bp)
e.write()

# an int8 3x3 layer the f32 path would run as Winograd F(4x4, 3x3) (16 -> 32 at 12x12: nine 4x4 tiles, 324
# products per channel pair against 576 direct): rounded sums unless @CompiledModel(exactInt8 = true)
random.seed(11)
q = Net("tiny_int8_winograd")
q.layer(0, "data", "Parameter", 'element_type="f32" shape="1,16,12,12"', outputs=[([1, 16, 12, 12], "FP32")])
q.const(1, "in_fq/il", [], [0.0]); q.const(2, "in_fq/ih", [], [2.0]); q.const(3, "in_fq/ol", [], [0.0]); q.const(4, "in_fq/oh", [], [2.0])
q.layer(5, "in_fq", "FakeQuantize", 'levels="256" auto_broadcast="numpy"', inputs=[[1, 16, 12, 12], [], [], [], []],
        outputs=[([1, 16, 12, 12], "FP32")])
q.const(6, "conv/weights", [32, 16, 3, 3], rnd(32 * 16 * 9, 0.3))
q.const(17, "w_fq/il", [], [-0.3]); q.const(18, "w_fq/ih", [], [0.3]); q.const(19, "w_fq/ol", [], [-0.3]); q.const(20, "w_fq/oh", [], [0.3])
q.layer(21, "w_fq", "FakeQuantize", 'levels="255" auto_broadcast="numpy"', inputs=[[32, 16, 3, 3], [], [], [], []],
        outputs=[([32, 16, 3, 3], "FP32")])
q.layer(7, "conv", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="1,1" pads_end="1,1" auto_pad="explicit"',
        inputs=[[1, 16, 12, 12], [32, 16, 3, 3]], outputs=[([1, 32, 12, 12], "FP32")])
q.const(8, "conv/bias", [1, 32, 1, 1], rnd(32, 0.5))
q.layer(9, "conv/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 32, 12, 12], [1, 32, 1, 1]], outputs=[([1, 32, 12, 12], "FP32")])
q.layer(10, "relu", "ReLU", inputs=[[1, 32, 12, 12]], outputs=[([1, 32, 12, 12], "FP32")])
q.const(11, "out_fq/il", [], [0.0]); q.const(12, "out_fq/ih", [], [4.0]); q.const(13, "out_fq/ol", [], [0.0]); q.const(14, "out_fq/oh", [], [4.0])
q.layer(15, "out_fq", "FakeQuantize", 'levels="256" auto_broadcast="numpy"', inputs=[[1, 32, 12, 12], [], [], [], []],
        outputs=[([1, 32, 12, 12], "FP32")])
q.layer(16, "out_fq/sink_port_0", "Result", inputs=[[1, 32, 12, 12]])
for a, ap, b, bp in [(0,0,5,0),(1,0,5,1),(2,0,5,2),(3,0,5,3),(4,0,5,4),(5,0,7,0),(6,0,21,0),(17,0,21,1),(18,0,21,2),
                     (19,0,21,3),(20,0,21,4),(21,0,7,1),(7,0,9,0),(8,0,9,1),
                     (9,0,10,0),(10,0,15,0),(11,0,15,1),(12,0,15,2),(13,0,15,3),(14,0,15,4),(15,0,16,0)]:
    q.edge(a, ap, b, bp)
q.write()

# A 1x1 convolution over a Concat of two differently quantized branches (face-detection's squeeze layers): by
# default it runs in one pass with each branch's weights scaled to one grid (rounded f32 sums), with exactInt8 as
# one exact pass per branch and a combine. conv_a ends in ReLU + FakeQuantize (levels out), conv_b in its bias (f32 out).
c = Net("tiny_int8_concat")
c.layer(0, "data", "Parameter", 'element_type="f32" shape="1,16,8,8"', outputs=[([1, 16, 8, 8], "FP32")])
c.const(1, "fq_a/il", [], [0.0]); c.const(2, "fq_a/ih", [], [2.0]); c.const(3, "fq_a/ol", [], [0.0]); c.const(4, "fq_a/oh", [], [2.0])
c.layer(5, "fq_a", "FakeQuantize", 'levels="256" auto_broadcast="numpy"', inputs=[[1, 16, 8, 8], [], [], [], []],
        outputs=[([1, 16, 8, 8], "FP32")])
c.const(6, "fq_b/il", [], [-1.0]); c.const(7, "fq_b/ih", [], [3.0]); c.const(8, "fq_b/ol", [], [-1.0]); c.const(9, "fq_b/oh", [], [3.0])
c.layer(10, "fq_b", "FakeQuantize", 'levels="256" auto_broadcast="numpy"', inputs=[[1, 16, 8, 8], [], [], [], []],
        outputs=[([1, 16, 8, 8], "FP32")])
c.layer(11, "concat", "Concat", 'axis="1"', inputs=[[1, 16, 8, 8], [1, 16, 8, 8]], outputs=[([1, 32, 8, 8], "FP32")])
c.const(12, "wa", [16, 32, 1, 1], rnd(16 * 32, 0.4))
c.const(13, "wa_fq/il", [], [-0.4]); c.const(14, "wa_fq/ih", [], [0.4]); c.const(15, "wa_fq/ol", [], [-0.4]); c.const(16, "wa_fq/oh", [], [0.4])
c.layer(17, "wa_fq", "FakeQuantize", 'levels="255" auto_broadcast="numpy"', inputs=[[16, 32, 1, 1], [], [], [], []],
        outputs=[([16, 32, 1, 1], "FP32")])
c.layer(18, "conv_a", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="0,0" pads_end="0,0" auto_pad="explicit"',
        inputs=[[1, 32, 8, 8], [16, 32, 1, 1]], outputs=[([1, 16, 8, 8], "FP32")])
c.const(19, "conv_a/bias", [1, 16, 1, 1], rnd(16, 0.5))
c.layer(20, "conv_a/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 16, 8, 8], [1, 16, 1, 1]], outputs=[([1, 16, 8, 8], "FP32")])
c.layer(21, "relu_a", "ReLU", inputs=[[1, 16, 8, 8]], outputs=[([1, 16, 8, 8], "FP32")])
c.const(22, "out_a/il", [], [0.0]); c.const(23, "out_a/ih", [], [6.0]); c.const(24, "out_a/ol", [], [0.0]); c.const(25, "out_a/oh", [], [6.0])
c.layer(26, "out_a", "FakeQuantize", 'levels="256" auto_broadcast="numpy"', inputs=[[1, 16, 8, 8], [], [], [], []],
        outputs=[([1, 16, 8, 8], "FP32")])
c.layer(27, "out_a/sink_port_0", "Result", inputs=[[1, 16, 8, 8]])
c.const(28, "wb", [8, 32, 1, 1], rnd(8 * 32, 0.4))
c.const(29, "wb_fq/il", [], [-0.4]); c.const(30, "wb_fq/ih", [], [0.4]); c.const(31, "wb_fq/ol", [], [-0.4]); c.const(32, "wb_fq/oh", [], [0.4])
c.layer(33, "wb_fq", "FakeQuantize", 'levels="255" auto_broadcast="numpy"', inputs=[[8, 32, 1, 1], [], [], [], []],
        outputs=[([8, 32, 1, 1], "FP32")])
c.layer(34, "conv_b", "Convolution", 'strides="1,1" dilations="1,1" pads_begin="0,0" pads_end="0,0" auto_pad="explicit"',
        inputs=[[1, 32, 8, 8], [8, 32, 1, 1]], outputs=[([1, 8, 8, 8], "FP32")])
c.const(35, "conv_b/bias", [1, 8, 1, 1], rnd(8, 0.5))
c.layer(36, "conv_b/add", "Add", 'auto_broadcast="numpy"', inputs=[[1, 8, 8, 8], [1, 8, 1, 1]], outputs=[([1, 8, 8, 8], "FP32")])
c.layer(37, "conv_b/add/sink_port_0", "Result", inputs=[[1, 8, 8, 8]])
for a, ap, b, bp in [(0,0,5,0),(1,0,5,1),(2,0,5,2),(3,0,5,3),(4,0,5,4),(0,0,10,0),(6,0,10,1),(7,0,10,2),(8,0,10,3),
                     (9,0,10,4),(5,0,11,0),(10,0,11,1),(12,0,17,0),(13,0,17,1),(14,0,17,2),(15,0,17,3),(16,0,17,4),
                     (11,0,18,0),(17,0,18,1),(18,0,20,0),(19,0,20,1),(20,0,21,0),(21,0,26,0),(22,0,26,1),(23,0,26,2),
                     (24,0,26,3),(25,0,26,4),(26,0,27,0),(28,0,33,0),(29,0,33,1),(30,0,33,2),(31,0,33,3),(32,0,33,4),
                     (11,0,34,0),(33,0,34,1),(34,0,36,0),(35,0,36,1),(36,0,37,0)]:
    c.edge(a, ap, b, bp)
c.write()
