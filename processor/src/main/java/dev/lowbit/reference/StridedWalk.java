package dev.lowbit.reference;

/**
 * Walks the coordinates of a shape in row-major order while tracking, for each operand, the flat offset
 * of the current coordinate under that operand's own strides. A stride of 0 repeats an element
 * (broadcasting), a negative stride walks backwards (reversed slices), a permuted stride set transposes.
 * Mutable; one walk per thread.
 */
final class StridedWalk {
    private final int[] shape;
    private final int[][] strides;
    private final int[] coord;
    private final int[] offsets;

    /**
     * @param shape   the shape walked (normally the output's)
     * @param base    each operand's offset at coordinate zero
     * @param strides each operand's stride per dimension of {@code shape}
     */
    StridedWalk(int[] shape, int[] base, int[]... strides) {
        this.shape = shape.clone();
        this.strides = strides;
        this.coord = new int[shape.length];
        this.offsets = base.clone();
        for (int[] s : strides) {
            if (s.length != shape.length) {
                throw new IllegalArgumentException("stride vector of length " + s.length + " for rank " + shape.length);
            }
        }
    }

    /** A walk with every operand starting at offset 0. */
    static StridedWalk of(int[] shape, int[]... strides) {
        return new StridedWalk(shape, new int[strides.length], strides);
    }

    int offset(int operand) {
        return offsets[operand];
    }

    /** Moves to the next coordinate in row-major order (after the last one it wraps to the first). */
    void advance() {
        for (int d = shape.length - 1; d >= 0; d--) {
            coord[d]++;
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] += strides[k][d];
            }
            if (coord[d] < shape[d]) {
                return;
            }
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] -= strides[k][d] * shape[d];
            }
            coord[d] = 0;
        }
    }
}
