package dev.lowbit.runtime.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageTensorsTest {
    @Test
    void letterboxKeepsAspectPadsRightAndBottomAndIsPlanarBgr() {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, (10 << 16) | (20 << 8) | 30); // r=10 g=20 b=30
            }
        }
        ImageTensors.Letterboxed lb = ImageTensors.letterboxBgr(img, 8, 8);
        assertEquals(2.0, lb.scale());
        float[] d = lb.data();
        int plane = 64;
        assertEquals(30f, d[0]); // blue plane first
        assertEquals(20f, d[plane]);
        assertEquals(10f, d[2 * plane]);
        assertEquals(30f, d[3 * 8 + 7], "last row of the picture area");
        assertEquals(0f, d[4 * 8], "padding below the picture");
        assertEquals(4.0, lb.pictureX(1.0), 1e-12);
        assertEquals(4.0, lb.pictureY(1.0), 1e-12);
    }

    @Test
    void parsesDetectionRowsUntilMinusOne() {
        float[] rows = {0, 1, 0.9f, 0.1f, 0.2f, 0.3f, 0.4f, -1, 0, 0, 0, 0, 0, 0, 0, 1, 0.8f, 0, 0, 1, 1};
        List<Detection> d = Detection.parse(rows);
        assertEquals(1, d.size());
        assertEquals(0.2f, d.get(0).centerX(), 1e-6);
        assertEquals(1.0, d.get(0).iou(d.get(0)), 1e-6); // float box corners
    }
}
