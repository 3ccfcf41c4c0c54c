#!/usr/bin/env python3
"""Writes one @CompiledModel interface per model folder and precision of ../shared/models into
src/models/java (run from model-tests/ when models are added). The typed method depends on the task."""
import os, re
models = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models")
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "src", "models", "java", "dev", "lowbit", "models")
TYPED = {
    "face-detection": "    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */\n    float[] detect(float[] data);\n",
    "person-detection": "    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */\n    float[] detect(float[] data);\n",
    "head-pose": "    /** The three heads, named after the model's outputs. */\n    record Angles(float[] fc_y, float[] fc_p, float[] fc_r) {}\n\n    Angles angles(float[] data);\n",
    "landmarks": "    /** Five (x, y) landmarks; the model's output is named \"95\", whose Java name is _95. */\n    float[] landmarks(float[] image);\n",
    "text-image": "    float[] upscale(float[] image);\n",
    "vehicle": "    record Attributes(float[] color, float[] type) {}\n\n    Attributes classify(float[] input);\n",
}
for folder in sorted(os.listdir(models)):
    if not os.path.isdir(os.path.join(models, folder)):
        continue
    model = re.sub(r"_omz[0-9.]+$", "", folder)
    for precision in sorted(os.listdir(os.path.join(models, folder))):
        name = "".join(p[:1].upper() + p[1:].lower() for p in re.split(r"[^A-Za-z0-9]+", folder + "-" + precision) if p)
        typed = next(v for k, v in TYPED.items() if model.startswith(k))
        with open(os.path.join(out, name + ".java"), "w") as f:
            f.write(f"""package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** {folder} {precision}, compiled by the lowbit processor into {name}Model. */
@CompiledModel("{folder}/{precision}/{model}.xml")
public interface {name} {{
{typed}}}
""")
