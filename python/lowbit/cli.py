"""``python3 -m lowbit``: quantize, evaluate, run and inspect models.

    lowbit quantize MODEL.onnx --calib CALIB.npy -o OUTDIR [--bits 8]
                    [--weights per-channel|per-tensor] [--batch N]
                    [--method minmax|percentile|entropy|mse] [--percentile P]
                    [--activations asymmetric|symmetric]
                    [--requant fixed_point|float] [--target host|...]
    lowbit eval OUTDIR --inputs X.npy --labels Y.npy [--json]
    lowbit run OUTDIR|MODEL.so IN.npy [IN2.npy ...] -o OUT.npy [--io ...]
    lowbit run --reference OUTDIR|MODEL.mlir|MODEL.json IN.npy ... -o OUT.npy
    lowbit report OUTDIR [--worst N]
    lowbit import MODEL.onnx [-o MODEL.mlir] [--batch N] [--entry NAME]

``quantize`` imports the ONNX model, calibrates it on CALIB.npy
(``[S, *input shape]``, or ``[S, C, H, W]`` for a batch-1 input), quantizes
and compiles it, and writes OUTDIR/

    model.so, model.h    the quantized model (C entry point + header)
    model.mlir           its lowbit IR (what ``run --reference`` executes)
    model.float.so       the fp32 build of the same graph
    model.float.mlir     the imported float graph
    stats.json           calibration statistics (STATS.json)
    report.json          per-op error of the quantized build (REPORT.json)
    report.html          the same with plots (report_files/)

Everything is written to a temporary directory next to OUTDIR that replaces
OUTDIR only when all of it succeeded.

``eval`` runs both builds of OUTDIR on X.npy and prints the top-1 accuracy
of each against the integer labels Y.npy (argmax over the last axis of the
first output), their difference and how often the two builds agree.

``run``: each input is either exactly the model input's shape, or has one
extra leading sample axis ``[S, *shape]``, or is ``[N, *shape[1:]]`` with N a
multiple of the model's batch; the outputs are stacked (or concatenated) the
same way.  ``--io float`` (the reference's default) takes float32 and
quantizes at the boundary exactly as a model compiled with ``--io=float``;
``--io quantized`` takes and returns storage integers.  A compiled model's io
mode is fixed when it is compiled, so ``--io`` there only asserts it.  The
first output goes to ``OUT.npy``, the next ones to ``OUT_1.npy``, ...
``--reference`` also accepts the JSON model description itself
(``MODEL.json``), which needs no libLowBit.so.

Errors print one line, ``lowbit: error: ...``, and exit with status 1
(usage errors: status 2); there is never a traceback.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from ._atomic import write_atomic
from .errors import LowBitError

QUANTIZED_SO, QUANTIZED_H, QUANTIZED_MLIR = "model.so", "model.h", "model.mlir"
FLOAT_SO, FLOAT_MLIR = "model.float.so", "model.float.mlir"
STATS_JSON, REPORT_JSON, REPORT_HTML = "stats.json", "report.json", "report.html"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line like every other error."""

    def error(self, message):
        self.exit(2, f"lowbit: error: {message}\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got "
                                         f"'{text}'")
    return value


def _parser():
    p = _Parser(prog="lowbit", description="LowBit command line tools.",
                epilog="lowbit COMMAND --help describes each command.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           parser_class=_Parser)

    q = sub.add_parser("quantize", help="ONNX model + calibration data -> "
                       "OUTDIR with the int8 and fp32 builds and a report",
                       description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("model", metavar="MODEL.onnx")
    q.add_argument("--calib", required=True, action="append",
                   metavar="CALIB.npy", help="calibration samples (repeat "
                   "for a model with several inputs, in input order)")
    q.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    q.add_argument("--bits", type=int, default=8,
                   help="activation and weight bits (8 or 16; default 8)")
    q.add_argument("--weights", choices=("per-channel", "per-tensor"),
                   default="per-channel")
    q.add_argument("--activations", choices=("asymmetric", "symmetric"),
                   default="asymmetric")
    q.add_argument("--requant", choices=("fixed_point", "float"),
                   default="fixed_point")
    q.add_argument("--method", choices=("minmax", "percentile", "entropy",
                                        "mse"), default="minmax",
                   help="clipping method (docs/Calibration.md)")
    q.add_argument("--percentile", type=float, default=99.99,
                   help="with --method percentile (default 99.99)")
    q.add_argument("--batch", type=_positive_int, default=1,
                   help="value of a dynamic batch dimension (default 1)")
    q.add_argument("--target", default="host",
                   help="host, x86-64-v3, x86-64-v3-vnni, x86-64-v4 or generic")

    e = sub.add_parser("eval", help="top-1 accuracy of OUTDIR's quantized "
                       "and float builds", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("outdir", metavar="OUTDIR")
    e.add_argument("--inputs", required=True, nargs="+", metavar="X.npy")
    e.add_argument("--labels", required=True, metavar="Y.npy")
    e.add_argument("--json", action="store_true",
                   help="print the numbers as one JSON object")

    run = sub.add_parser("run", help="run a model on .npy inputs",
                         description=__doc__,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("model", help="OUTDIR or compiled model .so, or "
                                   "OUTDIR/.mlir/.json with --reference")
    run.add_argument("inputs", nargs="+", metavar="IN.npy")
    run.add_argument("-o", "--output", required=True, metavar="OUT.npy")
    run.add_argument("--reference", action="store_true",
                     help="run the numpy reference on MODEL.mlir")
    run.add_argument("--entry", help="entry function (--reference only)")
    run.add_argument("--io", choices=("float", "quantized"),
                     help="boundary representation (default: float for "
                          "--reference, the model's own for .so)")

    sub.add_parser("report", add_help=False,
                   help="(re)write OUTDIR/report.html (lowbit report --help)")

    from .onnx.__main__ import add_arguments
    imp = sub.add_parser("import", help="ONNX model -> float MLIR",
                         description="Import an ONNX model as MLIR for "
                                     "LowBit (lowbit.onnx).")
    add_arguments(imp)
    return p


# --- run ---------------------------------------------------------------------

def _load_model(args):
    """Return ``(info, call)`` for the requested model."""
    path = args.model
    if os.path.isdir(path):
        path = os.path.join(path, QUANTIZED_MLIR if args.reference
                            else QUANTIZED_SO)
    if not os.path.isfile(path):
        raise LowBitError(f"{path}: no such file")
    if args.reference:
        from .reference.interpreter import Interpreter
        if path.endswith(".json"):
            interp = Interpreter(_read_json(path))
        else:
            interp = Interpreter.from_mlir(path, args.entry)
        io = args.io or "float"
        return path, interp.info(io), lambda *xs: interp.run(*xs, io=io)
    from .native import CompiledModel
    if args.entry:
        raise LowBitError("--entry needs --reference (a compiled model has "
                          "one entry)")
    model = CompiledModel(path)
    have = model.info.get("io")
    if args.io and have and args.io != have:
        raise LowBitError(f"{path} was compiled with --io={have}, "
                          f"not --io={args.io}")
    return path, model.info, model


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise LowBitError(f"{path}: cannot read model description: {e}") from None


def output_paths(path, count):
    """``OUT.npy``, ``OUT_1.npy``, ``OUT_2.npy``, ... for ``count`` outputs."""
    p = Path(path)
    return [p] + [p.with_name(f"{p.stem}_{i}{p.suffix}") for i in range(1, count)]


def write_npy_atomic(path, array):
    """Write ``array`` to ``path`` atomically (see ``_atomic``)."""
    write_atomic(path, lambda f: np.save(f, array), binary=True)


def run_command(args):
    from .api import load_npy, run_samples, sample_layout
    path, info, call = _load_model(args)
    if len(args.inputs) != len(info["inputs"]):
        raise LowBitError(f"{path} takes {len(info['inputs'])} input(s), "
                          f"got {len(args.inputs)}")
    arrays = [load_npy(p) for p in args.inputs]
    layout = sample_layout(arrays, args.inputs, info["inputs"])
    outputs = run_samples(info, call, arrays, layout)
    for out_path, out in zip(output_paths(args.output, len(outputs)), outputs):
        write_npy_atomic(out_path, out)
    return 0


# --- quantize ----------------------------------------------------------------

def quantize_command(args):
    from . import api

    outdir = Path(args.output)
    for path in [args.model, *args.calib]:
        if not os.path.isfile(path):
            raise LowBitError(f"{path}: no such file")
    if outdir.exists() and not outdir.is_dir():
        raise LowBitError(f"{outdir}: exists and is not a directory")
    model = api.import_onnx(args.model, batch=args.batch)
    if len(args.calib) != len(model.input_names):
        names = ", ".join(f"'{n}'" for n in model.input_names)
        raise LowBitError(f"{args.model} has {len(model.input_names)} "
                          f"input(s) ({names}); --calib gives "
                          f"{len(args.calib)} file(s)")
    # Check the data before creating anything.
    for path, name, shape in zip(args.calib, model.input_names,
                                 model.input_shapes):
        api.check_samples(api.load_npy(path), shape, name, where=path)
    calib = [str(Path(p).resolve()) for p in args.calib]
    quant = {"quantize": True, "bits": args.bits, "weights": args.weights,
             "activations": args.activations, "requant": args.requant}
    warnings = []
    steps = _Steps(5)
    try:
        summary = _quantize_into(outdir, model, calib, args, quant, steps,
                                 warnings)
    finally:
        steps.close(done=False)     # clear the line before any error message
    for w in warnings:
        print(f"lowbit: warning: {_one_line(w)}", file=sys.stderr)
    print(f"{outdir}: {summary}")
    return 0


def _quantize_into(outdir, model, calib, args, quant, steps, warnings):
    from . import api
    from ._outdir import staged_directory
    from .report import write_report
    with staged_directory(outdir) as tmp:
        model.save(tmp / FLOAT_MLIR)
        steps.next("calibrating")
        stats = api.calibrate(model, calib, method=args.method,
                              percentile=args.percentile, bits=args.bits,
                              target=args.target, where=args.calib,
                              progress=sys.stderr.isatty())
        stats.save(tmp / STATS_JSON)
        quant["calibration"] = str(tmp / STATS_JSON)
        steps.next("quantizing")
        api.compile_model(model, tmp / QUANTIZED_MLIR, emit="mlir",
                          target=args.target, **quant)
        # The library comes from the same float model and options as
        # model.mlir (the pipeline is deterministic; the tests check that
        # model.so and the reference on model.mlir agree bit for bit), in
        # the call that also measures the error report.
        steps.next(f"compiling the int{args.bits} build and measuring its "
                   "error")
        api.compile_model(model, tmp / QUANTIZED_SO, header=tmp / QUANTIZED_H,
                          target=args.target, report=str(tmp / REPORT_JSON),
                          report_inputs=calib, **quant)
        steps.next("compiling the fp32 build")
        api.compile_model(model, tmp / FLOAT_SO, target=args.target)
        steps.next("drawing the report")
        write_report(tmp, warn=warnings.append)
        steps.close()
        return _quantize_summary(tmp, args)


class _Steps:
    """A one-line step indicator on a terminal (tqdm), nothing otherwise."""

    def __init__(self, total):
        from .api import progress_bar
        self._bar = progress_bar(total, "quantize", unit="step")
        self._started = False

    def next(self, what):
        if self._bar is None:
            return
        if self._started:
            self._bar.update(1)
        self._started = True
        self._bar.set_postfix_str(what)

    def close(self, done=True):
        if self._bar is not None:
            if done:
                self._bar.update(1)
            self._bar.close()
            self._bar = None


def _quantize_summary(tmp, args):
    parts = [f"int{args.bits} {args.weights} weights"]
    try:
        report = json.loads((tmp / REPORT_JSON).read_text(encoding="utf-8"))
        sqnr = (report.get("output") or {}).get("sqnr_db")
        if isinstance(sqnr, (int, float)):
            parts.append(f"output SQNR {sqnr:.1f} dB")
        size = report.get("size") or {}
        fb, qb = size.get("float_bytes"), size.get("quantized_bytes")
        if isinstance(fb, int) and isinstance(qb, int):
            parts.append(f"constants {fb:,} -> {qb:,} bytes")
    except (OSError, ValueError, AttributeError):
        pass
    so = (tmp / QUANTIZED_SO).stat().st_size
    fso = (tmp / FLOAT_SO).stat().st_size
    parts.append(f"{QUANTIZED_SO} {so:,} bytes ({FLOAT_SO} {fso:,})")
    parts.append(f"see {Path(args.output) / REPORT_HTML}")
    return "; ".join(parts)


# --- eval --------------------------------------------------------------------

def evaluate(outdir, inputs, labels, input_labels=None, labels_label="labels",
             progress=True):
    """Top-1 of OUTDIR's quantized and float builds on ``inputs`` (arrays)
    against integer ``labels``; returns a dict (see ``eval_command``)."""
    from .api import run_samples, sample_layout
    from .native import CompiledModel
    outdir = Path(outdir)
    if not outdir.is_dir():
        raise LowBitError(f"{outdir}: no such directory")
    builds = {}
    for key, name in (("quantized", QUANTIZED_SO), ("float", FLOAT_SO)):
        path = outdir / name
        if not path.is_file():
            raise LowBitError(f"{path}: no such file (is {outdir} the output "
                              "of lowbit quantize?)")
        builds[key] = CompiledModel(path)
    input_labels = input_labels or [f"input {i}" for i in range(len(inputs))]
    specs = builds["quantized"].info["inputs"]
    if len(inputs) != len(specs):
        raise LowBitError(f"the model takes {len(specs)} input(s), --inputs "
                          f"gives {len(inputs)}")
    for spec, fspec in zip(specs, builds["float"].info["inputs"]):
        if list(spec["shape"]) != list(fspec["shape"]):
            raise LowBitError(f"{outdir}: {QUANTIZED_SO} and {FLOAT_SO} "
                              "take different input shapes")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise LowBitError(f"{labels_label}: labels must be integer class "
                          f"indices, got {labels.dtype.name} data")
    layout = sample_layout(inputs, input_labels, specs)
    out_spec = builds["quantized"].info["outputs"][0]
    out_shape = list(out_spec["shape"])
    if not out_shape:
        raise LowBitError(f"{outdir}: the first output is a scalar; top-1 "
                          "needs a class axis")
    classes = out_shape[-1]
    expected = (layout[0] or 1) * int(np.prod(out_shape[:-1], dtype=np.int64))
    labels = labels.reshape(-1)
    if labels.size != expected:
        raise LowBitError(f"{labels_label}: {labels.size} labels for "
                          f"{expected} predictions")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise LowBitError(f"{labels_label}: labels must be class indices in "
                          f"[0, {classes}), found {int(labels.min())}.."
                          f"{int(labels.max())}")
    preds = {}
    for key, model in builds.items():
        out = run_samples(model.info, model, inputs, layout,
                          progress=f"{key} build" if progress else None)[0]
        preds[key] = np.asarray(out).argmax(axis=-1).reshape(-1)
    n = labels.size
    correct_q = int((preds["quantized"] == labels).sum())
    correct_f = int((preds["float"] == labels).sum())
    agree = int((preds["quantized"] == preds["float"]).sum())
    pct = (lambda c: 100.0 * c / n) if n else (lambda c: float("nan"))
    return {"samples": n, "top1_quantized": pct(correct_q),
            "top1_float": pct(correct_f),
            "difference": pct(correct_q) - pct(correct_f),
            "agreement": pct(agree), "correct_quantized": correct_q,
            "correct_float": correct_f, "agreeing": agree,
            "quantized": str(outdir / QUANTIZED_SO),
            "float": str(outdir / FLOAT_SO)}


def eval_command(args):
    from .api import load_npy
    inputs = [load_npy(p) for p in args.inputs]
    labels = load_npy(args.labels)
    r = evaluate(args.outdir, inputs, labels, input_labels=args.inputs,
                 labels_label=args.labels)
    if args.json:
        print(json.dumps(r))
        return 0
    rows = [("samples", f"{r['samples']}"),
            (f"top-1 quantized ({QUANTIZED_SO})",
             f"{r['top1_quantized']:6.2f} %  ({r['correct_quantized']} "
             "correct)"),
            (f"top-1 float ({FLOAT_SO})",
             f"{r['top1_float']:6.2f} %  ({r['correct_float']} correct)"),
            ("difference (quantized - float)",
             f"{r['difference']:+6.2f} points"),
            ("agreement of the two builds",
             f"{r['agreement']:6.2f} %  ({r['agreeing']} of {r['samples']} "
             "predictions equal)")]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    return 0


# --- import / report / main --------------------------------------------------

def import_command(args):
    from .onnx.__main__ import import_from_args
    import_from_args(args)
    return 0


COMMANDS = {"run": run_command, "quantize": quantize_command,
            "eval": eval_command, "import": import_command}


def _one_line(message):
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return "; ".join(lines) or "unknown error"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "report":
        from .report import cli_main
        return cli_main(argv[1:])
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except LowBitError as e:
        print(f"lowbit: error: {_one_line(e)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("lowbit: error: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # never show a traceback to a CLI user
        print(f"lowbit: error: internal error: {type(e).__name__}: "
              f"{_one_line(e)}", file=sys.stderr)
    return 1
