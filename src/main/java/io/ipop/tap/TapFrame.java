package io.ipop.tap;

/** A frame for the TAP: {@code buf()[offset(), offset() + length())}. */
public interface TapFrame {
    byte[] buf();

    int offset();

    int length();
}
