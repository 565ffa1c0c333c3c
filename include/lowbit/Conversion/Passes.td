//===- Passes.td - LowBit conversion passes ----------------*- tablegen -*-===//

#ifndef LOWBIT_CONVERSION_PASSES_TD
#define LOWBIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLowBitToLinalgPass : Pass<"convert-lowbit-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower lowbit ops and quant casts to exact integer linalg";
  let description = [{
    Rewrites every `lowbit` op, and the upstream `quant.qcast`, `quant.dcast`
    and `quant.scast`, into `linalg.generic` / `tensor` / `arith` ops on the
    signless storage integers, implementing docs/QuantizationSemantics.md bit
    for bit: int32 accumulation, per-channel Q31 multipliers folded to
    constants at compile time (`fixed_point`) or float32 multipliers
    (`float`), rounding and saturation. Function signatures change from
    `!quant.uniform` tensors to their storage type. The output is
    target-neutral: the CPU pipeline and the SPIR-V backend both start here.

    ```mlir
    %y = lowbit.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.5>>)
                             -> tensor<4x!quant.uniform<i8:f32, 0.25:1>>
    ```
    becomes a `linalg.generic` over `tensor<4xi8>` that sign-extends, shifts
    by the Q31 multiplier of 2.0, adds the zero point 1 and saturates.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect", "::mlir::func::FuncDialect"
  ];
}

def ConvertLowBitToX86Pass : Pass<"convert-lowbit-to-x86", "mlir::ModuleOp"> {
  let summary = "Lower contractions with constant weights to x86 int8 kernels";
  let description = [{
    Rewrites `lowbit.fully_connected`, `lowbit.matmul` and `lowbit.conv2d`
    (groups = 1 as a GEMM over N*OH*OW rows, directly for 1x1 and through an
    im2col block otherwise; depthwise with channels on the vector lanes)
    whose weights and bias are constants, with 8-bit activations and
    weights, into register-tiled kernels on tensors: `scf.for` loops,
    `vector.transfer_read/write` and `llvm.call_intrinsic` dot products.

    Weights are packed at compile time into the layout the register tile
    reads (`[N/nr][K/4][nr][4]` s8 for vpdpbusd, `[N/nr][K/2][nr][2]` i16
    for vpmaddwd), with the zero-point and sign compensation folded into
    one constant per output channel. The requantization (either mode) and
    the clamp are fused into the kernel's epilogue on vectors; the
    arithmetic is docs/QuantizationSemantics.md bit for bit.

    The instruction set comes from the `isa` option, else from the module
    attribute `lowbit.isa` (quant-compile sets it from --target), else
    `generic`, which rewrites nothing:

    | isa | dot product | tile |
    |---|---|---|
    | `avx512vnni` | vpdpbusd zmm (u8 x s8, compensated) | 8 x 32 |
    | `avx512` | vpmaddwd zmm (operands centered to i16) | 8 x 32 |
    | `avxvnni` | vpdpbusd ymm, VEX (u8 x s8, compensated) | 6 x 16 |
    | `avx2` | vpmaddwd ymm (operands centered to i16) | 6 x 16 |
    | `generic` | none: convert-lowbit-to-linalg lowers everything | - |

    Ops it does not cover (non-constant weights, 16-bit or sub-byte
    operands, grouped convolutions other than depthwise) are left for
    convert-lowbit-to-linalg, which runs next.

    The float baseline gets FMA kernels on the same register tile: an f32
    `tosa.matmul` with a constant right-hand side (cache-blocked, A packed
    per block), `tosa.conv2d` with constant weights and bias (implicit GEMM
    on a padded copy of the input, any stride and dilation) and
    `tosa.depthwise_conv2d` with multiplier 1 (channels on the lanes); a
    `tosa.clamp` that is a convolution's only user (ReLU) is fused. An
    unpadded f32 `tosa.max_pool2d` becomes vector loads and maxima. Each
    output is one fused multiply-add chain in k order: the generic
    lowering's results up to the rounding of the products.

    ```mlir
    %y = lowbit.fully_connected %x, %w, %b
       : (tensor<4x64x!quant.uniform<i8:f32, 0.1:-3>>,
          tensor<32x64x!quant.uniform<i8<-127:127>:f32:0, {...}>>,
          tensor<32x!quant.uniform<i32:f32:0, {...}>>)
      -> tensor<4x32x!quant.uniform<i8:f32, 0.2:5>>
    ```
    becomes, with `isa=avx512vnni`, a `quant.scast` of %x to `tensor<4x64xi8>`,
    a packed `arith.constant dense<...> : tensor<4096xi8>`, loops whose
    innermost body calls `llvm.x86.avx512.vpdpbusd.512`, and a
    `quant.scast` of the `tensor<4x32xi8>` result back.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"\"",
           "Instruction set: avx512vnni, avx512, avxvnni, avx2 or generic "
           "(default: the module's lowbit.isa attribute, else generic)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect"
  ];
}

def LowBitParallelLoopsPass
    : Pass<"lowbit-parallel-loops", "mlir::func::FuncOp"> {
  let summary = "Turn the loops the kernels mark independent into scf.parallel";
  let description = [{
    The x86 kernels mark with the unit attribute `lowbit.parallel` the
    `scf.for` loops whose iterations write disjoint parts of their buffers
    and read only what was built before the loop (the tiles of a GEMM
    block, the output rows of a depthwise convolution). After
    bufferization such a loop carries no values; this pass rewrites it into
    an `scf.parallel` with the same bounds, which `convert-scf-to-openmp`
    then runs as an OpenMP work-sharing loop (`quant-compile --threads=N`).
    Only the outermost marked loop of a nest becomes parallel: nested
    parallel regions would only add fork/join costs. A marked loop that
    still carries values (bufferization copied instead of writing in
    place) stays serial.

    ```mlir
    scf.for %i = %c0 to %c8 step %c1 { ... } {lowbit.parallel}
    // becomes
    scf.parallel (%i) = (%c0) to (%c8) step (%c1) { ... }
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def LowBitStaticScratchPass
    : Pass<"lowbit-static-scratch", "mlir::ModuleOp"> {
  let summary = "Plan static temporaries into one arena per function instead of malloc";
  let description = [{
    After bufferization, the `memref.alloc`s of static shape in the entry
    block of a function (temporaries that live for one call: packed operand
    blocks, padded images, intermediate tensors) are planned at compile
    time: each lives from its allocation to the last top-level op using it
    (or a view, loop result or anything else that may alias it), and a
    first-fit placement gives buffers whose lives overlap disjoint 64-byte
    aligned offsets in one arena, `__lowbit_scratch_<function>`, a private
    `memref.global` of bytes; every allocation becomes a `memref.view` into
    it. A call then allocates nothing (no malloc, no page faults from
    memory the C library returned to the system between calls), and the
    arena is as large as the peak of live temporaries. Allocations inside
    loops, of dynamic shape, or whose buffer is returned or passed to a
    call are left alone. The arena is process-wide: calls into one compiled
    model must not overlap (`lowbit-thread-local-scratch` can make it
    thread-local, but the CPU pipeline does not use it).

    ```mlir
    %a = memref.alloc() {alignment = 64 : i64} : memref<64x128xi8>
    // becomes
    memref.global "private" @__lowbit_scratch_f : memref<8192xi8> {alignment = 64 : i64}
    %arena = memref.get_global @__lowbit_scratch_f : memref<8192xi8>
    %a = memref.view %arena[%c0][] : memref<8192xi8> to memref<64x128xi8>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowBitThreadLocalScratchPass
    : Pass<"lowbit-thread-local-scratch", "mlir::ModuleOp"> {
  let summary = "Make the scratch globals of lowbit-static-scratch thread-local";
  let description = [{
    Marks every `llvm.mlir.global` named `__lowbit_scratch_*` (the lowered
    arenas of `lowbit-static-scratch`) `thread_local`, so that a
    compiled model stays safe to call from several threads at once: each
    thread gets its own buffers, allocated once by the C library's TLS
    machinery on the thread's first call.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def LowBitMemRefCopyToLinalgPass
    : Pass<"lowbit-memref-copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy as linalg.copy so copies become loops";
  let description = [{
    `memref.copy` between non-contiguous views lowers to a call into MLIR's
    runtime library (`memrefCopy`), which compiled models must not need: they
    depend on libc only. This pass turns every `memref.copy` into a
    `linalg.copy`, which `convert-linalg-to-loops` lowers to plain loops.

    ```mlir
    memref.copy %src, %dst : memref<4xi8, strided<[2]>> to memref<4xi8>
    // becomes
    linalg.copy ins(%src : memref<4xi8, strided<[2]>>) outs(%dst : memref<4xi8>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def LowBitDistinctReturnBuffersPass
    : Pass<"lowbit-distinct-return-buffers", "mlir::func::FuncOp"> {
  let summary = "Give every returned buffer of a function its own allocation";
  let description = [{
    A function that returns the same buffer twice (a model whose two outputs
    are one value after CSE) cannot have its results turned into distinct
    out-parameters: upstream `buffer-results-to-out-params` with hoisted
    allocations fails on it. This pass copies every repeated return operand
    into a fresh buffer first, so each result is written through its own
    pointer.

    ```mlir
    return %b, %b : memref<4xi8>, memref<4xi8>
    // becomes
    %copy = memref.alloc() : memref<4xi8>
    memref.copy %b, %copy : memref<4xi8> to memref<4xi8>
    return %b, %copy : memref<4xi8>, memref<4xi8>
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def LowBitExpandMathPass : Pass<"lowbit-expand-math", "mlir::func::FuncOp"> {
  let summary = "Rewrite math ops libm would implement into plain arithmetic";
  let description = [{
    Compiled models depend on libc only. `math.exp`, `tanh`, `erf`, `log`,
    ... would become libm calls in LLVM, and `math.roundeven` a call to
    `roundevenf` on CPUs without SSE4.1. This pass expands them (upstream's
    expansion patterns) and replaces the transcendentals by MLIR's polynomial
    approximations (accurate to a few ulp in f32).

    `math.roundeven` is kept (as `llvm.intr.roundeven`, one `vrndscaleps`)
    when the x86 kernels' instruction set guarantees SSE4.1: the `native`
    option, or a module attribute `lowbit.isa` other than `generic`. Its
    bit-level expansion costs some twenty vector instructions per
    requantized vector.
  }];
  let options = [
    Option<"native", "native-roundeven", "bool", /*default=*/"false",
           "Keep math.roundeven as the LLVM intrinsic (the target has "
           "SSE4.1)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // LOWBIT_CONVERSION_PASSES_TD
