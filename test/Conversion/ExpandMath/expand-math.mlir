// RUN: quant-opt %s --split-input-file --lowbit-expand-math | FileCheck %s
// RUN: quant-opt %s --split-input-file --lowbit-expand-math=native-roundeven | FileCheck %s --check-prefix=NATIVE

// Without a known instruction set, roundeven becomes arithmetic (no libm
// call to roundevenf on CPUs without SSE4.1); exp becomes a polynomial.
// CHECK-LABEL: func.func @generic
// CHECK-NOT:     math.roundeven
// CHECK-NOT:     llvm.intr.roundeven
// CHECK-NOT:     math.exp
// CHECK:         return
// NATIVE-LABEL: func.func @generic
// NATIVE:         llvm.intr.roundeven(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// NATIVE-NOT:     math.exp
func.func @generic(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %r = math.roundeven %x : vector<16xf32>
  %e = math.exp %x : vector<16xf32>
  return %r, %e : vector<16xf32>, vector<16xf32>
}

// -----

// An x86 kernel instruction set (AVX2 and up) implies SSE4.1: roundeven
// stays one instruction (vrndscaleps).
// CHECK-LABEL: func.func @avx2
// CHECK:         llvm.intr.roundeven(%{{.*}}) : (vector<8xf32>) -> vector<8xf32>
module attributes {lowbit.isa = "avx2"} {
  func.func @avx2(%x: vector<8xf32>) -> vector<8xf32> {
    %r = math.roundeven %x : vector<8xf32>
    return %r : vector<8xf32>
  }
}

// -----

// CHECK-LABEL: func.func @generic_attr
// CHECK-NOT:     roundeven
module attributes {lowbit.isa = "generic"} {
  func.func @generic_attr(%x: f32) -> f32 {
    %r = math.roundeven %x : f32
    return %r : f32
  }
}
