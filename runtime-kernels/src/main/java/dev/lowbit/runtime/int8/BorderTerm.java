package dev.lowbit.runtime.int8;

/**
 * The border term of a fractional zero point z, added to a one-group layer's dot products after they are summed.
 * The kernels pad with the integer level p, centred to 0, and the bias holds {@code (p - z) * sum w} over every
 * tap; so an output whose window reads the padding lacks {@code (z - p) * w} for each padded tap:
 * {@code level * (the sum of its channel's weights over the padded taps)}, {@code level = z - p}.
 *
 * <p>Which taps are padded depends only on which kernel rows an output row reads inside the input and which kernel
 * columns an output column does, so each output channel needs one row of terms per row class (class 0 for rows
 * that read only the input, whose terms are 0 except at the border columns). Adding the term to the
 * exact integer sum rounds once in f32, as the depthwise kernel's border pixels do; the integer sums themselves
 * stay exact. Vector-free. Immutable; thread-safe.
 */
final class BorderTerm {
    private final int outW;
    private final int rowClasses;
    /** Per output row: its class (0: every kernel row reads the input). */
    private final int[] rowClass;
    /**
     * Output columns [0, leftColumns) and [rightStart, outW) read the padding, and so do output rows [0, topRows) and
     * [bottomStart, outH): a prefix and a suffix on each axis (a window passes the start of the input only for the
     * first outputs, its end only for the last).
     */
    private final int leftColumns;
    private final int rightStart;
    private final int topRows;
    private final int bottomStart;
    /**
     * {@code [o][row class][ox]}: the terms of a whole output row (0 at the columns inside for row class 0), added
     * as plain runs: a loop over the border columns with a class lookup each took 6.3 us for landmarks' first
     * layer (16 channels, 48x48), a third of the layer.
     */
    private final float[] rowTerms;

    private BorderTerm(int outW, int rowClasses, int[] rowClass, int[] columnClass, float[] rowTerms) {
        this.outW = outW;
        this.rowClasses = rowClasses;
        this.rowClass = rowClass;
        this.leftColumns = insideFrom(columnClass);
        this.rightStart = insideTo(columnClass);
        this.topRows = insideFrom(rowClass);
        this.bottomStart = insideTo(rowClass);
        this.rowTerms = rowTerms;
    }

    /**
     * The border term of a one-group layer with int8 weights {@code oihw} whose padding stands for the centred level
     * {@code level}; null when there is none to add (level 0, or no output reads the padding).
     */
    static BorderTerm of(ConvGeometry g, byte[] oihw, float level) {
        if (level == 0) {
            return null;
        }
        if (g.groups() != 1 || oihw.length != g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW()) {
            throw new IllegalArgumentException(g + ": the border term is computed for one group, with "
                    + g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW() + " weights, not " + oihw.length);
        }
        int kh = g.kernelH(), kw = g.kernelW();
        int[] rowFirst = new int[g.outH()], rowEnd = new int[g.outH()];
        int[] rowClass = classes(g.outH(), g.strideH(), g.padTop(), g.dilationH(), kh, g.inH(), rowFirst, rowEnd);
        int[] colFirst = new int[g.outW()], colEnd = new int[g.outW()];
        int[] columnClass = classes(g.outW(), g.strideW(), g.padLeft(), g.dilationW(), kw, g.inW(), colFirst, colEnd);
        int rows = 1 + max(rowClass), columns = 1 + max(columnClass);
        if (rows == 1 && columns == 1) {
            return null;
        }
        // one representative range of kernel rows (columns) per class
        int[][] rowRange = ranges(rowClass, rowFirst, rowEnd, rows, kh);
        int[][] colRange = ranges(columnClass, colFirst, colEnd, columns, kw);
        int ic = g.inChannels();
        int ow = g.outW();
        float[] rowTerms = new float[g.outChannels() * rows * ow];
        float[] terms = new float[columns]; // one channel's terms of one row class, per column class
        long[] tapSums = new long[kh * kw];
        for (int o = 0; o < g.outChannels(); o++) {
            java.util.Arrays.fill(tapSums, 0);
            long total = 0;
            for (int c = 0; c < ic; c++) {
                for (int t = 0; t < kh * kw; t++) {
                    tapSums[t] += oihw[(o * ic + c) * kh * kw + t];
                }
            }
            for (long s : tapSums) {
                total += s;
            }
            for (int rc = 0; rc < rows; rc++) {
                for (int cc = 0; cc < columns; cc++) {
                    long inside = 0;
                    for (int ky = rowRange[rc][0]; ky < rowRange[rc][1]; ky++) {
                        for (int kx = colRange[cc][0]; kx < colRange[cc][1]; kx++) {
                            inside += tapSums[ky * kw + kx];
                        }
                    }
                    // below 2^24 in magnitude wherever FmaLayout admits the layer: an exact float
                    terms[cc] = level * (float) (total - inside);
                }
                for (int ox = 0; ox < ow; ox++) {
                    rowTerms[(o * rows + rc) * ow + ox] = terms[columnClass[ox]];
                }
            }
        }
        return new BorderTerm(ow, rows, rowClass, columnClass, rowTerms);
    }

    /**
     * Adds the term to output rows {@code [from, to)} of channel {@code o}, whose {@code outW} sums start at
     * {@code sums[at + (oy - from) * rowStride]}: every column of a border row, the border columns of the others
     * (column by column: the term is the same all along a border column of the rows inside).
     */
    void addToRows(float[] sums, int at, int rowStride, int o, int from, int to) {
        int inFrom = Math.max(from, topRows), inTo = Math.max(inFrom, Math.min(to, bottomStart));
        int inside = (o * rowClasses) * outW; // row class 0: the terms of the border columns, 0 between
        int first = at + (inFrom - from) * rowStride;
        for (int ox = 0; ox < leftColumns; ox++) {
            addColumn(sums, first + ox, rowStride, inTo - inFrom, rowTerms[inside + ox]);
        }
        for (int ox = rightStart; ox < outW; ox++) {
            addColumn(sums, first + ox, rowStride, inTo - inFrom, rowTerms[inside + ox]);
        }
        for (int oy = from; oy < to; oy++) {
            if (oy < inFrom || oy >= inTo) {
                int row = (o * rowClasses + rowClass[oy]) * outW, start = at + (oy - from) * rowStride;
                for (int ox = 0; ox < outW; ox++) {
                    sums[start + ox] += rowTerms[row + ox];
                }
            }
        }
    }

    /** {@code sums[at + i * stride] += term} for i < n. */
    private static void addColumn(float[] sums, int at, int stride, int n, float term) {
        for (int i = 0; i < n; i++) {
            sums[at + i * stride] += term;
        }
    }

    /**
     * Per output position along one axis: its class, numbered in order of appearance from 1 for the ranges of
     * kernel taps that read the input other than all of them (class 0). {@code first[i]} and {@code end[i]} receive
     * the range of taps of position i that read the input (contiguous: the input index grows with the tap).
     */
    private static int[] classes(int out, int stride, int pad, int dilation, int kernel, int in, int[] first, int[] end) {
        int[] byKey = new int[(kernel + 1) * (kernel + 1)];
        java.util.Arrays.fill(byKey, -1);
        byKey[kernel] = 0; // first 0, end kernel: every tap inside
        int next = 1;
        int[] cls = new int[out];
        for (int i = 0; i < out; i++) {
            int f = 0;
            while (f < kernel && i * stride - pad + f * dilation < 0) {
                f++;
            }
            int e = f;
            while (e < kernel && i * stride - pad + e * dilation < in) {
                e++;
            }
            first[i] = f;
            end[i] = e;
            int key = f * (kernel + 1) + e;
            if (byKey[key] < 0) {
                byKey[key] = next++;
            }
            cls[i] = byKey[key];
        }
        return cls;
    }

    /** The range of taps of each class: {@code [class][first, end]}; class 0 is every tap. */
    private static int[][] ranges(int[] cls, int[] first, int[] end, int classes, int kernel) {
        int[][] r = new int[classes][];
        r[0] = new int[] {0, kernel};
        for (int i = 0; i < cls.length; i++) {
            r[cls[i]] = new int[] {first[i], end[i]};
        }
        return r;
    }

    /** The first position of class 0 (the length of the border prefix), or the length when there is none. */
    private static int insideFrom(int[] cls) {
        int i = 0;
        while (i < cls.length && cls[i] != 0) {
            i++;
        }
        return i;
    }

    /** One past the last position of class 0 (where the border suffix starts), at least {@link #insideFrom}. */
    private static int insideTo(int[] cls) {
        int i = cls.length, from = insideFrom(cls);
        while (i > from && cls[i - 1] != 0) {
            i--;
        }
        return i;
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
