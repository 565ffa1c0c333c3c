// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=avx512vnni | FileCheck %s --check-prefix=VNNI
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=avx512 | FileCheck %s --check-prefix=AVX512
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=generic | FileCheck %s --check-prefix=GENERIC

// x: i8 with zp -3, so A' = x ^ 0x80 = x + 128 and da = -128 - (-3) = -125.
// w: symmetric, so B' = w and the compensation is da * colsum(B'):
// -125 * 15 = -1875 and -125 * -5 = 625, padded to the 16 lanes.
// Packed B' ([K/4][16][4] for one panel of 16 columns, k padded to 8):
// k 0..3 of column 0 (1 2 3 4), of column 1 (-1 x4), 14 zero columns, then
// k 4..7: (5 0 0 0), (-1 0 0 0), zeros. M = 0.1 * 0.05 / 0.2 = 0.025 =
// 0.8 * 2^-5: m0 = round(0.8 * 2^31) = 1717986918, right shift 5.
// VNNI-LABEL: func.func @fc_i8_per_tensor
// VNNI: quant.scast %{{.*}} : tensor<1x5x!quant.uniform<i8:f32, 1.000000e-01:-3>> to tensor<1x5xi8>
// VNNI-DAG: arith.constant dense<[-1875, 625, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>
// VNNI-DAG: arith.constant dense<"0x01020304FFFFFFFF{{0+}}05000000FF{{0+}}"> : tensor<128xi8>
// VNNI: arith.xori %{{.*}} : vector<64xi8>
// VNNI: scf.for
// VNNI: vector.transfer_read %{{.*}} : tensor<128xi8>, vector<64xi8>
// VNNI: vector.broadcast %{{.*}} : i32 to vector<16xi32>
// VNNI: func.call @llvm.x86.avx512.vpdpbusd.512(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI-DAG: arith.constant dense<1717986918> : vector<16xi32>
// VNNI-DAG: arith.constant dense<-5> : vector<16xi32>
// The high multiply works on the 64-bit halves (even and odd lanes).
// VNNI: vector.bitcast %{{.*}} : vector<16xi32> to vector<8xi64>
// VNNI: arith.muli %{{.*}} : vector<8xi64>
// VNNI: arith.muli %{{.*}} : vector<8xi64>
// VNNI: vector.bitcast %{{.*}} : vector<8xi64> to vector<16xi32>
// VNNI: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// VNNI: quant.scast %{{.*}} : tensor<1x2xi8> to tensor<1x2x!quant.uniform<i8:f32, 2.000000e-01:4>>
// VNNI-NOT: lowbit.fully_connected
//
// vpmaddwd takes operands centered to i16: [K/2][16][2] = 3 * 16 * 2, and
// adds the pair sums to the accumulator.
// AVX512-LABEL: func.func @fc_i8_per_tensor
// AVX512-DAG: arith.constant dense<0> : tensor<16xi32>
// AVX512-DAG: : tensor<96xi16>
// AVX512: arith.extsi %{{.*}} : vector<32xi8> to vector<32xi16>
// AVX512: func.call @llvm.x86.avx512.pmaddw.d.512(%{{.*}}, %{{.*}}) : (vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// AVX512-NEXT: arith.addi %{{.*}} : vector<16xi32>
//
// AVX2-LABEL: func.func @fc_i8_per_tensor
// AVX2-DAG: : tensor<48xi16>
// AVX2: func.call @llvm.x86.avx2.pmadd.wd(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
//
// GENERIC-LABEL: func.func @fc_i8_per_tensor
// GENERIC: lowbit.fully_connected
// GENERIC-NOT: func.call
func.func @fc_i8_per_tensor(%x: tensor<1x5x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.2:4>> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5], [-1, -1, -1, -1, -1]]> : tensor<2x5xi8>
  %w = quant.scast %c : tensor<2x5xi8> to tensor<2x5x!quant.uniform<i8<-127:127>:f32, 0.05>>
  %y = lowbit.fully_connected %x, %w : (tensor<1x5x!quant.uniform<i8:f32, 0.1:-3>>, tensor<2x5x!quant.uniform<i8<-127:127>:f32, 0.05>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.2:4>>
  return %y : tensor<1x2x!quant.uniform<i8:f32, 0.2:4>>
}

// -----

// u8 input (A' = x, da = -zp = -128), bias [7, -7] and asymmetric per-channel
// weights (zero points 1 and -2): db = -zp_w = [-1, 2] multiplies the row
// sums of A', and comp = bias + da * colsum + K * da * db:
// 7 + (-128)(4) + 2(-128)(-1) = -249, -7 + (-128)(-4) + 2(-128)(2) = -7.
// Per-channel requantization reads m0 and the shift from tables.
// VNNI-LABEL: func.func @fc_u8_asymmetric_per_channel
// VNNI-DAG: arith.constant dense<[-249, -7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>
// VNNI-DAG: arith.constant dense<[-1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>
// VNNI-NOT: arith.xori
// VNNI: vector.reduction <add>
// VNNI: func.call @llvm.x86.avx512.vpdpbusd.512
// VNNI: arith.muli %{{.*}} : vector<16xi32>
//
// The 16-bit form centers both operands and needs neither.
// AVX512-LABEL: func.func @fc_u8_asymmetric_per_channel
// AVX512-DAG: arith.constant dense<[7, -7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>
// AVX512-NOT: vector.reduction
func.func @fc_u8_asymmetric_per_channel(%x: tensor<3x2x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x2x!quant.uniform<i8:f32, 0.2>> {
  %c = arith.constant dense<[[3, 1], [-2, -2]]> : tensor<2x2xi8>
  %w = quant.scast %c : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8:f32:0, {0.05:1, 0.025:-2}>>
  %bc = arith.constant dense<[7, -7]> : tensor<2xi32>
  %b = quant.scast %bc : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.005, 0.0025}>>
  %y = lowbit.fully_connected %x, %w, %b : (tensor<3x2x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x2x!quant.uniform<i8:f32:0, {0.05:1, 0.025:-2}>>, tensor<2x!quant.uniform<i32:f32:0, {0.005, 0.0025}>>) -> tensor<3x2x!quant.uniform<i8:f32, 0.2>>
  return %y : tensor<3x2x!quant.uniform<i8:f32, 0.2>>
}

// -----

// A 1x1 convolution is a GEMM over the N*H*W pixels, read in place and
// written in the output's own shape (3 channels: a partial vector, stored
// lane by lane).
// VNNI-LABEL: func.func @conv_1x1
// VNNI: tensor.collapse_shape %{{.*}} : tensor<1x4x4x8xi8> into tensor<128xi8>
// VNNI-NOT: scf.if
// VNNI: func.call @llvm.x86.avx512.vpdpbusd.512
// VNNI: tensor.insert %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x4x4x3xi8>
// VNNI-NOT: tensor.expand_shape
func.func @conv_1x1(%x: tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>> {
  %c = arith.constant dense<1> : tensor<3x1x1x8xi8>
  %w = quant.scast %c : tensor<3x1x1x8xi8> to tensor<3x1x1x8x!quant.uniform<i8:f32, 0.1>>
  %y = lowbit.conv2d %x, %w : (tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<3x1x1x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>>
  return %y : tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>>
}

// -----

// A padded stride-1 3x3 convolution is an implicit GEMM: the tile reads its
// broadcasts straight from a padded copy of A' (6x6 pixels of 64 bytes,
// the border A' of the zero point: 5 ^ 0x80 = -123 as i8), looping over the
// taps and the channel groups; no im2col block.
// VNNI-LABEL: func.func @conv_3x3_implicit
// VNNI-DAG: arith.constant dense<-123> : vector<64xi8>
// VNNI-DAG: tensor.empty() : tensor<1x6x6x64xi8>
// VNNI: scf.for
// VNNI: scf.for
// VNNI: vector.transfer_read %{{.*}} : tensor<1x6x6x64xi8>, vector<4xi8>
// VNNI: func.call @llvm.x86.avx512.vpdpbusd.512
// VNNI-NOT: scf.if
func.func @conv_3x3_implicit(%x: tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1:5>>) -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>> {
  %c = arith.constant dense<1> : tensor<3x3x3x8xi8>
  %w = quant.scast %c : tensor<3x3x3x8xi8> to tensor<3x3x3x8x!quant.uniform<i8:f32, 0.1>>
  %y = lowbit.conv2d %x, %w {pad = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1:5>>, tensor<3x3x3x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>>
  return %y : tensor<1x4x4x3x!quant.uniform<i8:f32, 0.3>>
}

// -----

// Stride 2 (or channels that are no multiple of the dot group) packs each
// block of output pixels through im2col: in-image taps are read and
// transformed, padded ones are A' of the zero point.
// VNNI-LABEL: func.func @conv_3x3_im2col
// VNNI-DAG: arith.constant dense<-123> : vector<64xi8>
// VNNI: scf.if
// VNNI: vector.transfer_read %{{.*}} : tensor<1x4x4x8xi8>, vector<64xi8>
// VNNI: func.call @llvm.x86.avx512.vpdpbusd.512
func.func @conv_3x3_im2col(%x: tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1:5>>) -> tensor<1x2x2x3x!quant.uniform<i8:f32, 0.3>> {
  %c = arith.constant dense<1> : tensor<3x3x3x8xi8>
  %w = quant.scast %c : tensor<3x3x3x8xi8> to tensor<3x3x3x8x!quant.uniform<i8:f32, 0.1>>
  %y = lowbit.conv2d %x, %w {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x4x8x!quant.uniform<i8:f32, 0.1:5>>, tensor<3x3x3x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x3x!quant.uniform<i8:f32, 0.3>>
  return %y : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.3>>
}

// -----

// Depthwise: channels on the lanes. With VNNI, four taps of a kernel row
// per lane: weights Wt[kh][16 channels][4 taps] (3 x 64 bytes, the fourth
// tap 0), a slab of the 7 padded rows the 5 output rows read in blocks of
// 16 channels (128 bytes: 8 columns x 16), each 64-byte read transposed so
// that lane c holds channel c of 4 adjacent columns, one dot per kernel row.
// Without VNNI, one tap per dot (the other products of a lane are zero).
// VNNI-LABEL: func.func @depthwise_3x3
// VNNI-DAG: arith.constant dense<"0x02020200{{.*}}"> : tensor<192xi8>
// VNNI-DAG: tensor.empty() : tensor<7x4x128xi8>
// VNNI: vector.shuffle %[[X:.*]], %[[X]] [0, 16, 32, 48, 1, 17, 33, 49, 2, 18,
// VNNI: func.call @llvm.x86.avx512.vpdpbusd.512
// AVX512-LABEL: func.func @depthwise_3x3
// AVX512: arith.extui %{{.*}} : vector<16xi8> to vector<16xi32>
// AVX512: func.call @llvm.x86.avx512.pmaddw.d.512
// AVX2-LABEL: func.func @depthwise_3x3
// AVX2: func.call @llvm.x86.avx2.pmadd.wd
func.func @depthwise_3x3(%x: tensor<1x5x5x16x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x5x5x16x!quant.uniform<u8:f32, 0.3:128>> {
  %c = arith.constant dense<2> : tensor<16x3x3x1xi8>
  %w = quant.scast %c : tensor<16x3x3x1xi8> to tensor<16x3x3x1x!quant.uniform<i8:f32, 0.1>>
  %y = lowbit.conv2d %x, %w {pad = array<i64: 1, 1, 1, 1>, groups = 16 : i64} : (tensor<1x5x5x16x!quant.uniform<u8:f32, 0.1:128>>, tensor<16x3x3x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x5x5x16x!quant.uniform<u8:f32, 0.3:128>>
  return %y : tensor<1x5x5x16x!quant.uniform<u8:f32, 0.3:128>>
}

// -----

// What the kernels do not cover stays for convert-lowbit-to-linalg: weights
// that are not constants, grouped convolutions other than depthwise.
// VNNI-LABEL: func.func @negative_not_covered
// VNNI-NOT: func.call
// VNNI: lowbit.matmul
// VNNI: lowbit.fully_connected
// VNNI: lowbit.conv2d
func.func @negative_not_covered(%a: tensor<1x2x4x!quant.uniform<i8:f32, 0.1>>, %b: tensor<1x4x3x!quant.uniform<i8:f32, 0.1>>,
                                %x: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.1>>,
                                %img: tensor<1x3x3x4x!quant.uniform<i8:f32, 0.1>>)
    -> (tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>, tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<1x3x3x2x!quant.uniform<i8:f32, 0.5>>) {
  %mm = lowbit.matmul %a, %b : (tensor<1x2x4x!quant.uniform<i8:f32, 0.1>>, tensor<1x4x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>
  %fc = lowbit.fully_connected %x, %w : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<3x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  %gc = arith.constant dense<1> : tensor<2x1x1x2xi8>
  %gw = quant.scast %gc : tensor<2x1x1x2xi8> to tensor<2x1x1x2x!quant.uniform<i8:f32, 0.1>>
  %g = lowbit.conv2d %img, %gw {groups = 2 : i64} : (tensor<1x3x3x4x!quant.uniform<i8:f32, 0.1>>, tensor<2x1x1x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x3x3x2x!quant.uniform<i8:f32, 0.5>>
  return %mm, %fc, %g : tensor<1x2x3x!quant.uniform<i8:f32, 0.5>>, tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<1x3x3x2x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Kernels are planned for static shapes; a dynamic batch stays generic.
// VNNI-LABEL: func.func @negative_dynamic_batch
// VNNI-NOT: func.call
// VNNI: lowbit.fully_connected
func.func @negative_dynamic_batch(%x: tensor<?x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<?x4x!quant.uniform<i8:f32, 0.2>> {
  %c = arith.constant dense<3> : tensor<4x8xi8>
  %w = quant.scast %c : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8:f32, 0.05>>
  %y = lowbit.fully_connected %x, %w : (tensor<?x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x8x!quant.uniform<i8:f32, 0.05>>) -> tensor<?x4x!quant.uniform<i8:f32, 0.2>>
  return %y : tensor<?x4x!quant.uniform<i8:f32, 0.2>>
}
