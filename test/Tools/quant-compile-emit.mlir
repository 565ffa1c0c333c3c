// RUN: quant-compile %s --emit=llvm -o - | FileCheck %s
// RUN: quant-compile %s --emit=llvm --io=quantized -o - | FileCheck %s --check-prefix=QUANT
// RUN: quant-compile %s --emit=mlir -o - | FileCheck %s --check-prefix=MLIR
// RUN: not quant-compile %s --target=pentium -o %t.so 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not test -e %t.so

// The entry takes plain pointers (inputs, then outputs) and the library
// describes itself with lowbit_model_info().
// CHECK-DAG: define {{.*}}void @scale_by_two(ptr {{.*}}, ptr {{.*}})
// CHECK-DAG: define {{.*}}ptr @lowbit_model_info()
// CHECK-DAG: {\22entry\22:\22scale_by_two\22,\22inputs\22:[{\22dtype\22:\22float32\22,\22name\22:\22arg0\22,\22quant\22:{\22axis\22:null,\22qmax\22:127,\22qmin\22:-128,\22scale\22:0.5,\22zero_point\22:0},\22shape\22:[4]}],\22io\22:\22float\22
// QUANT-DAG: \22dtype\22:\22int8\22
// QUANT-DAG: \22io\22:\22quantized\22
// MLIR: lowbit.requantize
// TARGET: unknown --target 'pentium' (expected host, x86-64-v3, x86-64-v3-vnni, x86-64-v4 or generic)
func.func @scale_by_two(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.25>> {
  %y = lowbit.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.25>>
  return %y : tensor<4x!quant.uniform<i8:f32, 0.25>>
}
