"""Fixtures of the integration suite: compile a generated model with
``quant-compile``, run the shared library and the numpy reference on the
same inputs, and compare bit for bit.

The suite needs a build tree (``scripts/build.sh``; ``$LOWBIT_BUILD_DIR``
overrides ``build/``): without ``bin/quant-compile`` or
``lib/libLowBit.so`` every test is skipped with the reason.
"""

import os
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from integration_support import (BUILD, COMPILE_TIMEOUT, LIBLOWBIT,  # noqa: E402
                                 PYTHON_DIR, QUANT_COMPILE, REPO,
                                 assert_informative, run_quant_compile)

from lowbit.native import CompiledModel                      # noqa: E402
from lowbit.reference.interpreter import Interpreter         # noqa: E402


def pytest_configure(config):
    for line in (
        "io_float: the model is compiled with --io=float (quantized at the boundary)",
        "known_bug: a compiler bug reported from this suite (xfail strict)",
    ):
        config.addinivalue_line("markers", line)


def _missing_build():
    for path in (QUANT_COMPILE, LIBLOWBIT):
        if not path.is_file():
            return (f"{path} is missing: build LowBit first "
                    "(flock /tmp/lowbit-build.lock scripts/build.sh)")
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing_build()
    if reason:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if Path(str(item.fspath)).parent == Path(__file__).parent:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def quant_compile():
    reason = _missing_build()
    if reason:
        pytest.skip(reason)
    return QUANT_COMPILE


@pytest.fixture
def workdir(tmp_path):
    """A fresh directory for the test's .mlir, .so and scratch files."""
    return tmp_path


@pytest.fixture
def rng(request):
    """A generator seeded from the test id: stable across runs and
    machines, different for every parametrization."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def _describe_mismatch(got, want):
    bad = np.argwhere(got != want) if got.shape == want.shape else []
    head = [f"shape {got.shape} dtype {got.dtype} vs {want.shape} {want.dtype}"]
    for idx in bad[:8]:
        t = tuple(idx)
        head.append(f"  at {t}: compiled {got[t]!r}, reference {want[t]!r}")
    if len(bad):
        head.append(f"  {len(bad)} of {got.size} elements differ")
    return "\n".join(head)


class Harness:
    """Compiles generated models and checks them against the reference.

    The test modules reach every helper through the ``harness`` fixture
    rather than ``from conftest import``: with test/Python collected in the
    same run, ``conftest`` may name that directory's module instead.
    """

    assert_informative = staticmethod(assert_informative)

    def __init__(self, quant_compile, workdir):
        self.quant_compile = quant_compile
        self.workdir = workdir
        self._n = 0

    def run(self, *args, check=True):
        """quant-compile with ``args``; fails the test on an error unless
        ``check`` is false.  Returns the CompletedProcess."""
        return run_quant_compile(self.quant_compile, *args, check=check)

    def write(self, model, name=None):
        """Writes a ``mlir_gen.Model`` (or text) to the work directory."""
        text = model if isinstance(model, str) else model.text()
        self._n += 1
        path = self.workdir / f"{name or 'model'}_{self._n}.mlir"
        path.write_text(text)
        return path

    def compile(self, mlir_path, io="quantized", target=None, extra=()):
        so = mlir_path.with_name(f"{mlir_path.stem}.{io}.{target or 'host'}.so")
        args = [mlir_path, "-o", so, f"--io={io}", *extra]
        if target:
            args.append(f"--target={target}")
        run_quant_compile(self.quant_compile, *args)
        return CompiledModel(so)

    def check(self, model, input_sets, io="quantized", target=None, name=None,
              extra=()):
        """Compile ``model`` (more quant-compile flags in ``extra``) and
        compare it with the reference on every tuple of inputs in
        ``input_sets``; returns the compiled outputs (one list per input
        set) for further assertions."""
        path = self.write(model, name)
        compiled = self.compile(path, io=io, target=target, extra=extra)
        reference = Interpreter.from_mlir(path)
        outputs = []
        for k, inputs in enumerate(input_sets):
            got = compiled(*inputs)
            want = reference.run(*inputs, io=io)
            assert len(got) == len(want)
            for i, (g, w) in enumerate(zip(got, want)):
                assert g.dtype == w.dtype and g.shape == w.shape, \
                    _describe_mismatch(g, w)
                # Bit-exact, NaN included (array_equal would treat NaN as
                # unequal, so compare the bits of float results).
                same = (np.array_equal(g.view(np.uint32), w.view(np.uint32))
                        if g.dtype == np.float32 else np.array_equal(g, w))
                assert same, (f"{path.name} ({io} io) input set {k}, result "
                              f"{i}: compiled != reference\n"
                              + _describe_mismatch(g, w))
            outputs.append(got)
        return outputs


@pytest.fixture
def harness(quant_compile, workdir):
    return Harness(quant_compile, workdir)
