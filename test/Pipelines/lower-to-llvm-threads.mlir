// RUN: quant-opt %s --lowbit-lower-to-llvm="isa=avx512vnni threads=3" | FileCheck %s --check-prefix=THREADS
// RUN: quant-opt %s --lowbit-lower-to-llvm=isa=avx512vnni | FileCheck %s --check-prefix=SERIAL

// With threads > 1 the loop the GEMM marked becomes an OpenMP parallel
// region of that many threads with a work-sharing loop (translated later to
// __kmpc_fork_call); by default the code stays serial, without OpenMP.
// THREADS:      llvm.func @fc
// THREADS:        %[[N:.*]] = llvm.mlir.constant(3 : i32) : i32
// THREADS:        omp.parallel num_threads(%[[N]] : i32)
// THREADS-NEXT:     omp.wsloop
// THREADS-NEXT:       omp.loop_nest
// THREADS:              llvm.call @llvm.x86.avx512.vpdpbusd.512
// SERIAL-NOT:   omp.
func.func @fc(%x: tensor<64x40x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<64x20x!quant.uniform<i8:f32, 0.2:4>> {
  %c = arith.constant dense<1> : tensor<20x40xi8>
  %w = quant.scast %c : tensor<20x40xi8> to tensor<20x40x!quant.uniform<i8<-127:127>:f32, 0.05>>
  %y = lowbit.fully_connected %x, %w : (tensor<64x40x!quant.uniform<i8:f32, 0.1:-3>>, tensor<20x40x!quant.uniform<i8<-127:127>:f32, 0.05>>) -> tensor<64x20x!quant.uniform<i8:f32, 0.2:4>>
  return %y : tensor<64x20x!quant.uniform<i8:f32, 0.2:4>>
}
