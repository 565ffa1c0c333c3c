// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=avx512vnni | FileCheck %s

// The kernels mark the loops whose iterations are independent for the
// OpenMP path (lowbit-parallel-loops, quant-compile --threads): in a GEMM
// the one loop over the (panel, tile) pairs of an A block, whose
// iterations each write their own tile, and not the loop over the blocks,
// which reuses one packed-A buffer.
// CHECK-LABEL: func.func @fc
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             func.call @llvm.x86.avx512.vpdpbusd.512
// CHECK:           } {lowbit.parallel}
// CHECK-NEXT:      scf.yield
// CHECK-NEXT:    }
// CHECK-NOT:     lowbit.parallel
// CHECK:         return
func.func @fc(%x: tensor<3x40x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<3x20x!quant.uniform<i8:f32, 0.2:4>> {
  %c = arith.constant dense<1> : tensor<20x40xi8>
  %w = quant.scast %c : tensor<20x40xi8> to tensor<20x40x!quant.uniform<i8<-127:127>:f32, 0.05>>
  %y = lowbit.fully_connected %x, %w : (tensor<3x40x!quant.uniform<i8:f32, 0.1:-3>>, tensor<20x40x!quant.uniform<i8<-127:127>:f32, 0.05>>) -> tensor<3x20x!quant.uniform<i8:f32, 0.2:4>>
  return %y : tensor<3x20x!quant.uniform<i8:f32, 0.2:4>>
}

// -----

// The implicit-GEMM convolution: the loop over output rows (each reads the
// padded input built before it and writes its own row) is parallel, the
// batch loop around it is not.
// CHECK-LABEL: func.func @conv_3x3_implicit
// CHECK:         tensor.empty() : tensor<1x6x6x64xi8>
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             func.call @llvm.x86.avx512.vpdpbusd.512
// CHECK:           } {lowbit.parallel}
// CHECK-NEXT:      scf.yield
// CHECK-NEXT:    }
// CHECK-NOT:     lowbit.parallel
func.func @conv_3x3_implicit(%x: tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1:5>>) -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>> {
  %c = arith.constant dense<1> : tensor<3x3x3x8xi8>
  %w = quant.scast %c : tensor<3x3x3x8xi8> to tensor<3x3x3x8x!quant.uniform<i8:f32, 0.1>>
  %y = lowbit.conv2d %x, %w {pad = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1:5>>, tensor<3x3x3x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>>
  return %y : tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>>
}
