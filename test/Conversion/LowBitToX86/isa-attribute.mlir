// RUN: quant-opt %s --split-input-file --verify-diagnostics --convert-lowbit-to-x86 | FileCheck %s

// Without the option, the module's lowbit.isa attribute (what quant-compile
// sets from --target) chooses the kernels.
// CHECK-LABEL: func.func @isa_from_module_attribute
// CHECK: func.call @llvm.x86.avx2.pmadd.wd
module attributes {lowbit.isa = "avx2"} {
  func.func @isa_from_module_attribute(%x: tensor<2x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.2>> {
    %c = arith.constant dense<3> : tensor<4x8xi8>
    %w = quant.scast %c : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8:f32, 0.05>>
    %y = lowbit.fully_connected %x, %w : (tensor<2x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x8x!quant.uniform<i8:f32, 0.05>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.2>>
    return %y : tensor<2x4x!quant.uniform<i8:f32, 0.2>>
  }
}

// -----

// AVX-VNNI: the byte dot on ymm, 8 lanes of 4 u8 x s8 products. N = 4 needs
// one 8-lane vector: B' packed [K/4 = 2][8][4] (columns 4..7 zero) and the
// compensation da * colsum = -128 * 24 for the a ^ 0x80 transform.
// CHECK-LABEL: func.func @isa_avxvnni
// CHECK-DAG: arith.constant dense<[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, {{.*}}]> : tensor<64xi8>
// CHECK-DAG: arith.constant dense<[-3072, -3072, -3072, -3072, 0, 0, 0, 0]> : tensor<8xi32>
// CHECK: func.call @llvm.x86.avx512.vpdpbusd.256(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<8xi32>, vector<32xi8>, vector<32xi8>) -> vector<8xi32>
// CHECK-NOT: pmadd
module attributes {lowbit.isa = "avxvnni"} {
  func.func @isa_avxvnni(%x: tensor<2x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.2>> {
    %c = arith.constant dense<3> : tensor<4x8xi8>
    %w = quant.scast %c : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8:f32, 0.05>>
    %y = lowbit.fully_connected %x, %w : (tensor<2x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x8x!quant.uniform<i8:f32, 0.05>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.2>>
    return %y : tensor<2x4x!quant.uniform<i8:f32, 0.2>>
  }
}

// -----

// Neither option nor attribute: the generic lowering keeps everything.
// CHECK-LABEL: func.func @no_isa_no_kernels
// CHECK: lowbit.fully_connected
// CHECK-NOT: func.call
func.func @no_isa_no_kernels(%x: tensor<2x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.2>> {
  %c = arith.constant dense<3> : tensor<4x8xi8>
  %w = quant.scast %c : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8:f32, 0.05>>
  %y = lowbit.fully_connected %x, %w : (tensor<2x8x!quant.uniform<i8:f32, 0.1>>, tensor<4x8x!quant.uniform<i8:f32, 0.05>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.2>>
  return %y : tensor<2x4x!quant.uniform<i8:f32, 0.2>>
}

// -----

// expected-error@+1 {{unknown instruction set 'sse2' (expected generic, avx2, avxvnni, avx512 or avx512vnni)}}
module attributes {lowbit.isa = "sse2"} {
  func.func @negative_unknown_isa() {
    return
  }
}
