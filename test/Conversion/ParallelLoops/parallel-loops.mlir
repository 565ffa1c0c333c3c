// RUN: quant-opt %s --split-input-file --lowbit-parallel-loops | FileCheck %s

// A marked loop without carried values becomes an scf.parallel with the
// same bounds and body; the marked loop nested in it stays serial.
// CHECK-LABEL: func.func @marked
// CHECK-SAME:    (%[[BUF:.*]]: memref<8x4xi32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK:         scf.parallel (%[[I:.*]]) = (%[[C0]]) to (%[[C8]]) step (%[[C1]]) {
// CHECK:           scf.for %[[J:.*]] = %[[C0]]
// CHECK:             memref.store %{{.*}}, %[[BUF]][%[[I]], %[[J]]]
// CHECK-NOT:       lowbit.parallel
// CHECK:           scf.reduce
func.func @marked(%buf: memref<8x4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %v = arith.constant 7 : i32
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %v, %buf[%i, %j] : memref<8x4xi32>
    } {lowbit.parallel}
  } {lowbit.parallel}
  return
}

// -----

// Unmarked loops stay; under an unmarked loop a marked one is the outermost
// marked loop and becomes parallel.
// CHECK-LABEL: func.func @inner
// CHECK:         scf.for %[[I:.*]] =
// CHECK-NEXT:      scf.parallel (%[[J:.*]]) =
// CHECK:             memref.store %{{.*}}[%[[I]], %[[J]]]
func.func @inner(%buf: memref<8x4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %v = arith.constant 7 : i32
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %v, %buf[%i, %j] : memref<8x4xi32>
    } {lowbit.parallel}
  }
  return
}

// -----

// A marked loop that still carries a value (a reduction, or a buffer that
// bufferization did not write in place) stays serial, unmarked.
// CHECK-LABEL: func.func @carried
// CHECK:         %[[R:.*]] = scf.for {{.*}} iter_args
// CHECK-NOT:     scf.parallel
// CHECK-NOT:     lowbit.parallel
// CHECK:         return %[[R]]
func.func @carried(%buf: memref<8xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %z = arith.constant 0 : i32
  %r = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %z) -> i32 {
    %x = memref.load %buf[%i] : memref<8xi32>
    %s = arith.addi %acc, %x : i32
    scf.yield %s : i32
  } {lowbit.parallel}
  return %r : i32
}
