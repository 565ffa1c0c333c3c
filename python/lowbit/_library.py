"""Locating libLowBit.so and calling its C API with ctypes.

The shared library is the one place that parses MLIR; Python asks it for a
JSON description of a module instead of binding MLIR itself (MLIR's Python
bindings are not packaged for our toolchain).

Search order: ``$LOWBIT_LIBRARY``; the build tree of a source checkout
(``python/lowbit`` -> ``build/lib``); an install prefix: ``sys.prefix/lib``,
``<prefix>/lib`` for a package under ``<prefix>/python/lowbit``, and
``<prefix>/lib`` for one under ``<prefix>/lib/pythonX.Y/site-packages``.
"""

import ctypes
import json
import os
import re
import sys
from pathlib import Path

from .errors import LowBitError

LIBRARY_NAME = "libLowBit.so"
_PACKAGE_DIR = Path(__file__).resolve().parent
_cached = None


def candidate_paths():
    """Where ``find_library`` looks, in order (for messages and tests)."""
    env = os.environ.get("LOWBIT_LIBRARY")
    paths = [Path(env)] if env else []
    paths += [_PACKAGE_DIR.parent.parent / "build" / "lib" / LIBRARY_NAME,
              Path(sys.prefix) / "lib" / LIBRARY_NAME,
              _PACKAGE_DIR.parent.parent / "lib" / LIBRARY_NAME]
    if _PACKAGE_DIR.parent.name in ("site-packages", "dist-packages"):
        paths.append(_PACKAGE_DIR.parents[2] / LIBRARY_NAME)
    return list(dict.fromkeys(paths))           # drop duplicates, keep order


def find_library():
    """Path of libLowBit.so; ``LowBitError`` if there is none.

    An explicit ``$LOWBIT_LIBRARY`` that does not exist is an error rather
    than a reason to fall back, so a typo cannot pick up a stale build.
    """
    env = os.environ.get("LOWBIT_LIBRARY")
    if env:
        if not Path(env).is_file():
            raise LowBitError(f"LOWBIT_LIBRARY={env} does not exist")
        return str(Path(env))
    for p in candidate_paths():
        if p.is_file():
            return str(p)
    raise LowBitError(f"{LIBRARY_NAME} not found (build LowBit first: "
                      "scripts/build.sh, or set LOWBIT_LIBRARY)")


def load_library():
    """The loaded library with the C API's signatures declared (cached)."""
    global _cached
    if _cached is None:
        path = find_library()
        try:
            lib = ctypes.CDLL(path)
            describe = lib.lowbitDescribeModuleFile
            free = lib.lowbitFreeString
        except (OSError, AttributeError) as e:
            raise LowBitError(f"cannot use {path}: {e}") from None
        describe.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                             ctypes.POINTER(ctypes.c_void_p),
                             ctypes.POINTER(ctypes.c_void_p)]
        describe.restype = ctypes.c_int
        compile_file = getattr(lib, "lowbitCompileFile", None)
        if compile_file is not None:
            compile_file.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                     ctypes.c_char_p,
                                     ctypes.POINTER(ctypes.c_void_p)]
            compile_file.restype = ctypes.c_int
        calibrate = getattr(lib, "lowbitCalibrateFile", None)
        if calibrate is not None:
            calibrate.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                  ctypes.c_char_p, ctypes.c_char_p,
                                  ctypes.POINTER(ctypes.c_void_p)]
            calibrate.restype = ctypes.c_int
        free.argtypes = [ctypes.c_void_p]
        free.restype = None
        _cached = lib
    return _cached


def _take_string(lib, ptr):
    """Copy a library-owned C string into Python and free it."""
    if not ptr.value:
        return None
    try:
        return ctypes.string_at(ptr.value).decode("utf-8", errors="replace")
    finally:
        lib.lowbitFreeString(ptr.value)


_DIAGNOSTIC = re.compile(r"^\S.*:\d+:\d+: (error|warning|note|remark): ")


def _diagnostics(message):
    """Keep the ``file:line:col: error: ...`` lines of MLIR's diagnostics.

    The library prints each diagnostic with its source line and a caret;
    those are useful in a terminal but noise in a one-line CLI error.
    """
    if not message:
        return ""
    # "see current operation:" notes introduce an op dump we drop anyway.
    lines = [l for l in message.splitlines() if _DIAGNOSTIC.match(l)
             and not l.rstrip().endswith("note: see current operation:")]
    return "\n".join(lines) if lines else message.strip()


def describe_module_file(path, entry=None):
    """JSON description of the entry function of a ``.mlir`` file, as a dict.

    Parse errors come back as ``LowBitError`` carrying the library's message
    (which includes the MLIR location).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise LowBitError(f"{path}: no such file")
    lib = load_library()
    out, err = ctypes.c_void_p(), ctypes.c_void_p()
    status = lib.lowbitDescribeModuleFile(
        path.encode(), entry.encode() if entry else None,
        ctypes.byref(out), ctypes.byref(err))
    text, message = _take_string(lib, out), _take_string(lib, err)
    if status != 0:
        raise LowBitError(_diagnostics(message) or
                          f"{path}: cannot describe module (status {status})")
    try:
        return json.loads(text or "")
    except ValueError as e:
        raise LowBitError(f"{path}: libLowBit returned invalid JSON: {e}") from None


def compile_file(input_path, output_path, **options):
    """Compile a ``.mlir`` file as ``quant-compile`` does, in this process.

    ``options`` are quant-compile's: ``emit``, ``target``, ``header``,
    ``io``, ``entry``, ``quantize``, ``calibration``, ``bits``, ``weights``,
    ``activations``, ``requant``, ``threads``. Errors come back as ``LowBitError`` with
    the MLIR diagnostics.
    """
    lib = load_library()
    options = {k: (os.fspath(v) if isinstance(v, os.PathLike) else v)
               for k, v in options.items() if v is not None}
    err = ctypes.c_void_p()
    status = lib.lowbitCompileFile(os.fspath(input_path).encode(),
                                   os.fspath(output_path).encode(),
                                   json.dumps(options).encode(),
                                   ctypes.byref(err))
    message = _take_string(lib, err)
    if status != 0:
        raise LowBitError(_diagnostics(message) or
                          f"{input_path}: compilation failed")


def calibrate_file(model_path, input_paths, stats_path, **options):
    """Calibrate a float ``.mlir`` model as ``quant-calibrate`` does, in this
    process: ``input_paths`` is one ``.npy`` path per model input; options
    are ``method``, ``percentile``, ``bits``, ``symmetric``, ``entry``,
    ``target``, ``progress``. Writes STATS.json to ``stats_path``."""
    lib = load_library()
    options = {k: v for k, v in options.items() if v is not None}
    err = ctypes.c_void_p()
    paths = ",".join(os.fspath(p) for p in input_paths)
    status = lib.lowbitCalibrateFile(os.fspath(model_path).encode(),
                                     paths.encode(),
                                     os.fspath(stats_path).encode(),
                                     json.dumps(options).encode(),
                                     ctypes.byref(err))
    message = _take_string(lib, err)
    if status != 0:
        raise LowBitError(_diagnostics(message) or
                          f"{model_path}: calibration failed")
