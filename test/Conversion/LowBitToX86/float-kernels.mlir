// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=avx512vnni | FileCheck %s --check-prefix=ZMM
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=avx2 | FileCheck %s --check-prefix=YMM
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-x86=isa=generic | FileCheck %s --check-prefix=GENERIC

// fp32 tosa.matmul with a constant B: B packed as [K][32 columns] (20
// columns padded to 2 vectors of 16), A packed per block as
// [tile][k][row] (one tile of 4 rows x K = 3), one FMA per product.
// ZMM-LABEL: func.func @float_matmul
// ZMM: arith.constant dense<{{.*}}> : tensor<96xf32>
// ZMM: tensor.empty() : tensor<12xf32>
// ZMM: vector.broadcast %{{.*}} : f32 to vector<16xf32>
// ZMM: vector.fma %{{.*}} : vector<16xf32>
// ZMM-NOT: tosa.matmul
// YMM-LABEL: func.func @float_matmul
// YMM: vector.fma %{{.*}} : vector<8xf32>
// GENERIC-LABEL: func.func @float_matmul
// GENERIC: tosa.matmul
func.func @float_matmul(%a: tensor<1x4x3xf32>) -> tensor<1x4x20xf32> {
  %b = arith.constant dense<0.5> : tensor<1x3x20xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.matmul %a, %b, %zp, %zp : (tensor<1x4x3xf32>, tensor<1x3x20xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x20xf32>
  return %c : tensor<1x4x20xf32>
}

// -----

// fp32 tosa.conv2d + ReLU: weights packed as [K = 27][32 filters] (20
// padded), the bias as a 32-entry table, the input in a zero-padded
// [1][8][8][3] copy (fewer channels than a vector are copied one by one);
// the ReLU is the epilogue (the kernel's result is
// returned, the clamp left dead).
// ZMM-LABEL: func.func @conv_relu
// ZMM: arith.constant dense<{{.*}}> : tensor<864xf32>
// ZMM: arith.constant dense<{{.*}}> : tensor<32xf32>
// ZMM: tensor.empty() : tensor<1x8x8x3xf32>
// ZMM: vector.fma %{{.*}} : vector<16xf32>
// ZMM: arith.maximumf %{{.*}} : vector<16xf32>
// ZMM: tosa.clamp %[[K:.*]] {
// ZMM-NEXT: return %[[K]] : tensor<1x6x6x20xf32>
// GENERIC-LABEL: func.func @conv_relu
// GENERIC: tosa.conv2d
// GENERIC: tosa.clamp
func.func @conv_relu(%x: tensor<1x6x6x3xf32>) -> tensor<1x6x6x20xf32> {
  %w = arith.constant dense<0.25> : tensor<20x3x3x3xf32>
  %b = arith.constant dense<1.0> : tensor<20xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x6x6x3xf32>, tensor<20x3x3x3xf32>, tensor<20xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x20xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.4028234663852886e+38 : f32} : (tensor<1x6x6x20xf32>) -> tensor<1x6x6x20xf32>
  return %r : tensor<1x6x6x20xf32>
}

// -----

// fp32 depthwise: channels on the lanes, weights as [tap][16]; rows of
// taps that may leave the image are guarded by an scf.if.
// ZMM-LABEL: func.func @depthwise
// ZMM: arith.constant dense<5.000000e-01> : tensor<144xf32>
// ZMM: scf.if
// ZMM: vector.transfer_read %arg0
// ZMM: vector.fma %{{.*}} : vector<16xf32>
// ZMM-NOT: tosa.depthwise_conv2d
// GENERIC-LABEL: func.func @depthwise
// GENERIC: tosa.depthwise_conv2d
func.func @depthwise(%x: tensor<1x5x9x16xf32>) -> tensor<1x5x9x16xf32> {
  %w = arith.constant dense<0.5> : tensor<3x3x16x1xf32>
  %b = arith.constant dense<0.0> : tensor<16xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x5x9x16xf32>, tensor<3x3x16x1xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x9x16xf32>
  return %c : tensor<1x5x9x16xf32>
}

// -----

// Not covered: a non-constant weight, a channel multiplier of 2.
// ZMM-LABEL: func.func @negative_dynamic_weights
// ZMM: tosa.conv2d
// ZMM: tosa.depthwise_conv2d
func.func @negative_dynamic_weights(%x: tensor<1x4x4x2xf32>, %w: tensor<3x1x1x2xf32>) -> (tensor<1x4x4x3xf32>, tensor<1x4x4x4xf32>) {
  %b = arith.constant dense<0.0> : tensor<3xf32>
  %b4 = arith.constant dense<0.0> : tensor<4xf32>
  %d = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  %e = tosa.depthwise_conv2d %x, %d, %b4, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %c, %e : tensor<1x4x4x3xf32>, tensor<1x4x4x4xf32>
}

// -----

// fp32 max pool without padding: one vector load and max per tap and 16
// channels (20 = a full vector and a 4-lane tail).
// ZMM-LABEL: func.func @max_pool
// ZMM: vector.transfer_read %arg0
// ZMM: arith.maximumf %{{.*}} : vector<16xf32>
// ZMM-NOT: tosa.max_pool2d
// GENERIC-LABEL: func.func @max_pool
// GENERIC: tosa.max_pool2d
func.func @max_pool(%x: tensor<1x4x6x20xf32>) -> tensor<1x2x3x20xf32> {
  %y = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x6x20xf32>) -> tensor<1x2x3x20xf32>
  return %y : tensor<1x2x3x20xf32>
}
