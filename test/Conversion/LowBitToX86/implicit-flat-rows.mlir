// RUN: quant-opt %s --convert-lowbit-to-x86=isa=avx512vnni | FileCheck %s

// One input channel (a first layer): the dot groups of 4 bytes cannot be
// channels of one pixel, so the padded image is built with its rows
// flattened over (w, c) — [N][H + 2][64], borders A' of the zero point
// (-128 ^ 0x80 = 0) — and a group is 4 consecutive elements of a window
// row: the 3 taps of a kernel row and one padding element whose weight is
// zero. B' is packed [KH][16 columns][4]: (1, 1, 1, 0) per column and row.
// CHECK-LABEL: func.func @conv_c1
// CHECK:       tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<1x5x6x1xi8> into tensor<1x5x6xi8>
// CHECK:       tensor.empty() : tensor<1x7x64xi8>
// CHECK:       vector.transfer_write %{{.*}} : vector<64xi8>, tensor<1x7x64xi8>
// CHECK:       arith.xori %{{.*}} : vector<64xi8>
// CHECK:       arith.constant dense<"0x{{(01010100)+}}"> : tensor<192xi8>
// CHECK-NOT:   tensor.empty() : tensor<{{[0-9]+}}x64xi8>
// CHECK:       vector.transfer_read %{{.*}} : tensor<1x7x64xi8>, vector<4xi8>
// CHECK:       func.call @llvm.x86.avx512.vpdpbusd.512
func.func @conv_c1(%x: tensor<1x5x6x1x!quant.uniform<i8:f32, 0.1:-128>>) -> tensor<1x5x6x16x!quant.uniform<i8:f32, 0.3>> {
  %c = arith.constant dense<1> : tensor<16x3x3x1xi8>
  %w = quant.scast %c : tensor<16x3x3x1xi8> to tensor<16x3x3x1x!quant.uniform<i8:f32, 0.1>>
  %y = lowbit.conv2d %x, %w {pad = array<i64: 1, 1, 1, 1>} : (tensor<1x5x6x1x!quant.uniform<i8:f32, 0.1:-128>>, tensor<16x3x3x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x5x6x16x!quant.uniform<i8:f32, 0.3>>
  return %y : tensor<1x5x6x16x!quant.uniform<i8:f32, 0.3>>
}
