"""LowBit from Python: numpy in, numpy out.

>>> import lowbit                                              # doctest: +SKIP
>>> model = lowbit.import_onnx("model.onnx")                   # float TOSA
>>> stats = lowbit.calibrate(model, calib_images)              # [S, ...] float
>>> qmodel = lowbit.quantize(model, stats)                     # lowbit IR
>>> native = lowbit.compile(qmodel)                            # CompiledModel
>>> (logits,) = native(image)                                  # one sample
>>> (expected,) = lowbit.reference(qmodel, image)              # numpy, bit-exact
>>> (all_logits,) = lowbit.run(native, images)                 # [S, ...] samples

Models are MLIR *text* (``Model.mlir``) plus a private temporary directory
where the text is written for libLowBit.so, which does all the MLIR work
through its C API (``lowbit._library``); no MLIR Python bindings are
involved.  Temporary files live as long as the object that owns them.

Every failure the caller can act on is a ``LowBitError`` whose message names
the input, file or op at fault.
"""

import json
import os
import re
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np

from ._atomic import copy_atomic, write_text_atomic
from .errors import LowBitError

__all__ = ["Model", "Stats", "calibrate", "check_samples", "compile",
           "import_onnx", "load", "quantize", "reference", "run"]

KINDS = ("float", "qdq", "quantized")
METHODS = ("minmax", "percentile", "entropy", "mse")
_LOWBIT_OP = re.compile(r"=\s*\"?lowbit\.[a-z_0-9]+")
_QDQ_OP = re.compile(r"\bquant\.(qcast|dcast)\b")


class _Holder:
    """Owns a ``_TempDir``; attach it to the object the files belong to."""


class _TempDir:
    """A private temporary directory removed with its owner (or at exit)."""

    def __init__(self, owner, prefix):
        try:
            self.path = Path(tempfile.mkdtemp(prefix=f"lowbit-{prefix}-"))
        except OSError as e:
            raise LowBitError(f"cannot create a temporary directory: "
                              f"{e.strerror or e}") from None
        weakref.finalize(owner, shutil.rmtree, str(self.path), True)


def _detect_kind(mlir):
    if _LOWBIT_OP.search(mlir):
        return "quantized"
    if _QDQ_OP.search(mlir):
        return "qdq"
    return "float"


class Model:
    """A model held as MLIR text.

    ``kind`` is ``"float"`` (float TOSA: calibrate and quantize it),
    ``"qdq"`` (quant.qcast / quant.dcast around float ops, from a QDQ ONNX
    model: compile it as it is) or ``"quantized"`` (lowbit IR: compile it, or
    run it with ``reference``).  ``input_names`` / ``input_shapes`` /
    ``output_names`` / ``output_shapes`` describe the entry function's
    boundary (ONNX layout for imported models).
    """

    def __init__(self, mlir, entry, input_names, input_shapes, output_names,
                 output_shapes, kind=None, source=None, options=None):
        if kind is not None and kind not in KINDS:
            raise LowBitError(f"unknown model kind '{kind}', expected one of "
                              + ", ".join(KINDS))
        self.mlir = mlir
        self.entry = entry
        self.input_names = list(input_names)
        self.input_shapes = [tuple(int(d) for d in s) for s in input_shapes]
        self.output_names = list(output_names)
        self.output_shapes = [tuple(int(d) for d in s) for s in output_shapes]
        self.kind = kind or _detect_kind(mlir)
        self.source = source          # where it came from, for messages
        self.options = dict(options or {})   # quantization settings, if any
        self._tmp = None
        self._path = None
        self._interpreter = None

    @property
    def path(self):
        """The text written to a private temporary ``.mlir`` file."""
        if self._path is None:
            self._tmp = _TempDir(self, "model")
            path = self._tmp.path / f"{self.entry or 'model'}.mlir"
            path.write_text(self.mlir, encoding="utf-8")
            self._path = path
        return self._path

    def save(self, path):
        """Write the MLIR text to ``path`` (atomically)."""
        write_text_atomic(path, self.mlir)
        return Path(path)

    def __repr__(self):
        inputs = ", ".join(f"{n}{list(s)}" for n, s in
                           zip(self.input_names, self.input_shapes))
        return f"<lowbit.Model {self.kind} '{self.entry}' ({inputs})>"


class Stats:
    """Calibration statistics (STATS.json, docs/QuantizationFlow.md).

    ``path`` is the file (private to this object unless ``save``d elsewhere
    by you), ``data`` the parsed dict; ``method``, ``bits``, ``samples`` and
    ``values`` are shortcuts into it.
    """

    def __init__(self, path, data, inputs=()):
        self.path = Path(path)
        self.data = data
        self.inputs = [Path(p) for p in inputs]   # the .npy files it used

    @classmethod
    def load(cls, path):
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise LowBitError(f"{path}: cannot read: {e.strerror or e}") from None
        except ValueError as e:
            raise LowBitError(f"{path}: not valid JSON: {e}") from None
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            raise LowBitError(f"{path}: not a STATS.json file (no 'values')")
        return cls(path, data)

    method = property(lambda self: self.data.get("method"))
    bits = property(lambda self: self.data.get("bits"))
    samples = property(lambda self: self.data.get("samples"))
    values = property(lambda self: self.data.get("values", {}))

    def save(self, path):
        """Copy STATS.json to ``path`` (atomically)."""
        write_text_atomic(path, self.path.read_text(encoding="utf-8"))
        return Path(path)

    def __repr__(self):
        return (f"<lowbit.Stats {self.method}, {self.samples} samples, "
                f"{len(self.values)} values>")


# --- importing ---------------------------------------------------------------

def import_onnx(model, batch=1, entry=None, shapes=None):
    """Import an ONNX model (path, bytes or ``onnx.ModelProto``) as a ``Model``.

    Float models become float TOSA (``kind == "float"``), QDQ models the QDQ
    form, QOperator models lowbit IR.  ``batch`` replaces a dynamic first
    dimension; see ``lowbit.onnx.import_onnx`` for ``entry`` and ``shapes``.
    """
    from .onnx import import_onnx as _import
    imported = _import(model, batch=batch, entry=entry, shapes=shapes)
    source = os.fspath(model) if isinstance(model, (str, os.PathLike)) else None
    return Model(imported.mlir, imported.entry, imported.input_names,
                 imported.input_shapes, imported.output_names,
                 imported.output_shapes, source=source)


def load(path, kind=None, entry=None):
    """A ``Model`` from an ``.mlir`` file (its interface read with
    libLowBit.so)."""
    path = Path(path)
    if not path.is_file():
        raise LowBitError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LowBitError(f"{path}: cannot read: {e}") from None
    return _model_from_text(text, path, kind=kind, entry=entry,
                            source=str(path))


def _model_from_text(text, described_path, kind=None, entry=None, source=None,
                     options=None, names=None):
    from ._library import describe_module_file
    desc = describe_module_file(described_path, entry)
    types = {}
    for a in desc.get("arguments", []):
        types[a["id"]] = a["type"]
    for op in desc.get("ops", []):
        types.update(zip(op.get("results", []), op.get("result_types", [])))
    args = desc.get("arguments", [])
    in_names = [a.get("name") or f"arg{i}" for i, a in enumerate(args)]
    if names is not None and len(names[0]) == len(in_names):
        in_names = list(names[0])
    out_names = [f"output{i}" for i in range(len(desc.get("returns", [])))]
    if names is not None and len(names[1]) == len(out_names):
        out_names = list(names[1])
    return Model(text, desc.get("entry", entry),
                 in_names, [a["type"]["shape"] for a in args],
                 out_names, [types[v]["shape"] for v in desc.get("returns", [])],
                 kind=kind, source=source, options=options)


# --- calibration -------------------------------------------------------------

def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def check_samples(array, shape, name="input", where=None):
    """Validate calibration samples for one model input of ``shape``.

    Accepts ``[S, *shape]``, or ``[S, *shape[1:]]`` when ``shape[0] == 1``
    (a batch of samples for a batch-1 model), or exactly ``shape`` (one
    sample).  The data must be floating point, finite and representable in
    float32.  Returns ``(float32 array, sample count)``; raises
    ``LowBitError`` naming ``where`` (a file) or the input otherwise.
    """
    what = f"{where}: " if where else "calibration samples: "
    arr = np.asarray(array)
    shape = tuple(int(d) for d in shape)
    if arr.dtype.kind != "f":
        kind = {"i": "integer", "u": "unsigned integer", "b": "boolean",
                "c": "complex"}.get(arr.dtype.kind, "non-numeric")
        raise LowBitError(f"{what}calibration data for input '{name}' must "
                          f"be floating point (float32 or float64), got "
                          f"{kind} data ({arr.dtype.name})")
    if arr.shape == shape:
        count = 1
    elif arr.ndim == len(shape) + 1 and arr.shape[1:] == shape:
        count = arr.shape[0]
    elif shape and shape[0] == 1 and arr.ndim == len(shape) \
            and arr.shape[1:] == shape[1:]:
        count = arr.shape[0]
    else:
        inner = _dims(shape)[1:-1]
        alt = (f", or [S,{_dims(shape[1:])[1:-1]}] (a batch of samples)"
               if shape and shape[0] == 1 else "")
        raise LowBitError(f"{what}shape {_dims(arr.shape)} does not match "
                          f"input '{name}' of shape {_dims(shape)}: expected "
                          f"[S,{inner}]{alt}")
    if count == 0:
        raise LowBitError(f"{what}no calibration samples for input "
                          f"'{name}' (the sample axis is empty)")
    with np.errstate(over="ignore", invalid="ignore"):
        f32 = np.ascontiguousarray(arr, dtype=np.float32)
    finite = np.isfinite(f32)
    if not finite.all():
        flat = int(np.argmin(finite.reshape(-1)))
        per = max(1, f32.size // count)
        value = arr.reshape(-1)[flat]
        problem = ("NaN" if np.isnan(value) else "an infinity"
                   if np.isinf(value) else "a value beyond the float32 range")
        bad = int((~finite).sum())
        raise LowBitError(f"{what}sample {flat // per} of input '{name}' "
                          f"contains {problem} ({bad} such value"
                          f"{'s' if bad != 1 else ''} in all); calibration "
                          "data must be finite")
    return f32, count


def calibrate(model, samples, method="minmax", percentile=99.99, bits=8,
              symmetric=None, target=None, progress=False, where=None):
    """Run the float ``model`` on ``samples`` and collect STATS.json.

    ``samples``: a numpy array ``[S, *input_shape]`` (or ``[S,
    *input_shape[1:]]`` for a batch-1 input), a path to such a ``.npy``
    file, or a list of those (one per model input).  ``method`` is one of
    minmax, percentile (with ``percentile``), entropy, mse
    (docs/Calibration.md).  Returns a ``Stats``.
    """
    from ._library import calibrate_file
    _need_kind(model, ("float",), "calibrate")
    if method not in METHODS:
        raise LowBitError(f"unknown calibration method '{method}', expected "
                          + ", ".join(METHODS))
    items = (list(samples) if isinstance(samples, (list, tuple))
             else [samples])
    if len(items) != len(model.input_names):
        raise LowBitError(f"the model has {len(model.input_names)} input(s) "
                          f"({', '.join(repr(n) for n in model.input_names)}),"
                          f" got samples for {len(items)}")
    holder = _Holder()
    tmp = _TempDir(holder, "stats")
    paths, counts = [], []
    for i, (item, name, shape) in enumerate(zip(items, model.input_names,
                                                model.input_shapes)):
        path = None
        if isinstance(item, (str, os.PathLike)):
            path = Path(item)
            array = load_npy(path)
            label = where[i] if isinstance(where, (list, tuple)) else (
                where or str(path))
        else:
            array = item
            label = where[i] if isinstance(where, (list, tuple)) else where
        f32, count = check_samples(array, shape, name, label)
        counts.append(count)
        if path is None or np.asarray(array).dtype not in (np.float32,
                                                          np.float64):
            path = tmp.path / f"input{i}.npy"
            np.save(path, f32)
        paths.append(path.resolve())
    if len(set(counts)) > 1:
        raise LowBitError("the inputs' samples differ in number: "
                          + ", ".join(f"'{n}' has {c}" for n, c in
                                      zip(model.input_names, counts)))
    out = tmp.path / "stats.json"
    calibrate_file(model.path, paths, out, method=method,
                   percentile=float(percentile), bits=int(bits),
                   symmetric=symmetric, entry=model.entry, target=target,
                   progress=bool(progress))
    stats = Stats.load(out)
    stats.inputs = paths
    stats._holder = holder       # the files live as long as the Stats
    return stats


# --- quantization and compilation --------------------------------------------

def quantize(model, stats=None, bits=8, weights="per-channel",
             activations="asymmetric", requant="fixed_point"):
    """Quantize the float ``model`` with calibration ``stats`` (or, with
    ``stats=None``, static range analysis alone) into lowbit IR.

    ``bits`` (8 or 16), ``weights`` (per-channel or per-tensor),
    ``activations`` (asymmetric or symmetric) and ``requant`` (fixed_point
    or float) are the lowbit-quantize options.  Returns a ``Model`` of kind
    ``"quantized"``.
    """
    from ._library import compile_file
    _need_kind(model, ("float",), "quantize")
    if stats is not None and not isinstance(stats, Stats):
        if isinstance(stats, (str, os.PathLike)):
            stats = Stats.load(stats)
        else:
            raise LowBitError("stats must come from lowbit.calibrate (or be a "
                              f"STATS.json path), got {type(stats).__name__}")
    options = _quant_options(stats, bits, weights, activations, requant)
    holder = _Holder()
    tmp = _TempDir(holder, "quantize")
    out = tmp.path / f"{model.entry or 'model'}.mlir"
    compile_file(model.path, out, emit="mlir", entry=model.entry, **options)
    text = out.read_text(encoding="utf-8")
    q = _model_from_text(text, out, kind="quantized", entry=model.entry,
                         source=model.source,
                         options=dict(options, stats=None if stats is None
                                      else str(stats.path)),
                         names=(model.input_names, model.output_names))
    q._path, q._holder = out, holder     # reuse the file just described
    return q


def _quant_options(stats, bits, weights, activations, requant):
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise LowBitError(f"bits must be an integer, got {bits!r}")
    return {"quantize": True,
            "calibration": None if stats is None else str(stats.path),
            "bits": int(bits), "weights": weights,
            "activations": activations, "requant": requant}


def compile(model, target="host", io="float", output=None, header=None,
            threads=1):
    """Compile ``model`` (any kind) to native code and load it.

    Returns a ``CompiledModel``: ``compiled(*inputs)`` runs one sample
    and returns a list of arrays.  ``output`` / ``header``, if given, also
    keep a copy of the shared library / the C header there.  ``threads``
    > 1 runs the kernels' parallel loops on that many OpenMP threads.
    """
    from .native import CompiledModel
    holder = _Holder()
    tmp = _TempDir(holder, "compile")
    so = tmp.path / f"{model.entry or 'model'}.so"
    h = tmp.path / f"{model.entry or 'model'}.h" if header else None
    compile_model(model, so, header=h, target=target, io=io,
                  threads=threads)
    if output is not None:
        copy_atomic(so, output)
    if header is not None:
        copy_atomic(h, header)
    # Loaded from the private copy: dlopen caches libraries by path name,
    # so reusing a path would hand back a stale library.
    compiled = CompiledModel(so)
    compiled._lowbit_holder = holder
    compiled.model = model
    return compiled


def compile_model(model, output, header=None, target="host", io="float",
                  **options):
    """Compile ``model`` into the file ``output`` without loading it
    (``options``: more ``compile_file`` options, e.g. ``emit``)."""
    from ._library import compile_file
    if io not in ("float", "quantized"):
        raise LowBitError(f"io must be float or quantized, got '{io}'")
    compile_file(model.path, output, header=header, target=target, io=io,
                 entry=model.entry, **options)


# --- running -----------------------------------------------------------------

def reference(model, *inputs, io="float"):
    """Run the numpy reference (``lowbit.reference.Interpreter``) on a
    quantized model for one set of inputs; returns a list of arrays, bit
    for bit what ``compile(model)`` computes."""
    return _interpreter(model).run(*inputs, io=io)


def _interpreter(model):
    _need_kind(model, ("quantized", "qdq"), "run the reference on")
    if model._interpreter is None:
        from .reference.interpreter import Interpreter
        model._interpreter = Interpreter.from_mlir(model.path, model.entry)
    return model._interpreter


def run(model, *inputs, progress=None):
    """Run ``model`` over whole sample sets; returns a list of outputs.

    ``model``: a ``CompiledModel`` (or any callable with an ``info`` dict
    like one), or a quantized ``Model`` (run by the reference).  Each input
    is exactly the model input's shape (one run), ``[S, *shape]`` (S runs,
    outputs stacked on a new axis), or ``[N, *shape[1:]]`` with N a multiple
    of the model's batch B (N / B runs, outputs concatenated along axis 0).
    ``progress``: a label for a tqdm bar on stderr, or ``None``.
    """
    if isinstance(model, Model):
        interp = _interpreter(model)
        info, call = interp.info("float"), lambda *xs: interp.run(*xs)
    else:
        info, call = model.info, model
    if len(inputs) != len(info["inputs"]):
        raise LowBitError(f"model takes {len(info['inputs'])} input(s), got "
                          f"{len(inputs)}")
    arrays = [np.asarray(a) for a in inputs]
    names = [f"input '{s.get('name')}'" for s in info["inputs"]]
    layout = sample_layout(arrays, names, info["inputs"])
    return run_samples(info, call, arrays, layout, progress=progress)


def sample_layout(arrays, labels, specs):
    """How ``arrays`` map onto runs of a model with input ``specs``.

    Returns ``(runs, batch)``: ``runs`` is ``None`` when every array is
    exactly one input; otherwise the number of runs, and ``batch`` is 0 for
    a leading sample axis or the model's batch size B when the arrays'
    first axis is cut in runs of B.  ``labels`` name the arrays in errors.
    """
    counts, batches = set(), set()
    for arr, label, spec in zip(arrays, labels, specs):
        shape = tuple(spec["shape"])
        if arr.shape == shape:
            counts.add(None)
            batches.add(0)
        elif arr.ndim == len(shape) + 1 and arr.shape[1:] == shape:
            counts.add(arr.shape[0])
            batches.add(0)
        elif (shape and shape[0] >= 1 and arr.ndim == len(shape)
              and arr.shape[1:] == shape[1:] and arr.shape[0] % shape[0] == 0):
            counts.add(arr.shape[0] // shape[0])
            batches.add(shape[0])
        else:
            dims = ",".join(map(str, shape))
            extra = ""
            if shape and arr.ndim == len(shape) and arr.shape[1:] == shape[1:]:
                extra = (f" ({arr.shape[0]} samples are not a multiple of the "
                         f"model's batch {shape[0]})")
            raise LowBitError(
                f"{label}: input '{spec.get('name')}' expects shape [{dims}] "
                f"or [S,{dims}], got [{','.join(map(str, arr.shape))}]{extra}")
    if len(counts) > 1 or len(batches) > 1:
        raise LowBitError("inputs disagree on the number of samples: "
                          + ", ".join(sorted(str(c) for c in counts)))
    return counts.pop(), batches.pop() if batches else 0


def run_samples(info, call, arrays, layout, progress=None):
    """Run ``call`` over ``arrays`` as ``sample_layout`` said."""
    runs, batch = layout
    if runs is None:
        return [np.asarray(o) for o in call(*arrays)]
    per_output = [[] for _ in info["outputs"]]
    bar = progress_bar(runs, progress)
    try:
        for s in range(runs):
            sample = [a[s * batch:(s + 1) * batch] if batch else a[s]
                      for a in arrays]
            for acc, out in zip(per_output, call(*sample)):
                acc.append(out)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    join = np.concatenate if batch else np.stack
    empty = (lambda s: (0, *s[1:])) if batch else (lambda s: (0, *s))
    return [join(outs) if outs else
            np.empty(empty(tuple(spec["shape"])), dtype=np.dtype(spec["dtype"]))
            for outs, spec in zip(per_output, info["outputs"])]


def progress_bar(total, label, unit="sample"):
    """A tqdm bar on stderr when ``label`` is given, stderr is a terminal
    and tqdm is installed; otherwise ``None``."""
    import sys
    if label is None or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=label, file=sys.stderr, unit=unit,
                leave=False, dynamic_ncols=True)


# --- helpers -----------------------------------------------------------------

def _need_kind(model, kinds, action):
    if not isinstance(model, Model):
        raise LowBitError(f"cannot {action} a {type(model).__name__}: expected "
                          "a lowbit.Model (from lowbit.import_onnx, "
                          "lowbit.load or lowbit.quantize)")
    if model.kind not in kinds:
        hint = {"quantized": "it is already quantized (lowbit IR)",
                "qdq": "it is already quantized (QDQ form); compile it as it "
                       "is",
                "float": "it is a float model; quantize it first with "
                         "lowbit.quantize"}[model.kind]
        raise LowBitError(f"cannot {action} model '{model.entry}': {hint}")


def load_npy(path):
    """``np.load`` of one array; every failure is a ``LowBitError``."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise LowBitError(f"{path}: no such file")
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as e:  # numpy raises many types for corrupt files
        raise LowBitError(f"{path}: not a valid .npy file ({e})") from None
    if not isinstance(arr, np.ndarray):
        raise LowBitError(f"{path}: expected a .npy array, not an archive")
    return arr
