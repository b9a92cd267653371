package io.ipop.node;

/**
 * The answer to a reload ({@code SIGHUP} or {@code POST /overlay/reload}).
 *
 * @param applied whether the new config is now in force; if not, the node runs on with the old one
 * @param message what changed ({@link ReloadPlan#summary}) or, if refused, the one-line reason
 *                ({@code ipop.tap.mtu: cannot change while the node runs ...})
 */
public record ReloadResult(boolean applied, String message) {

    static ReloadResult refused(String why) {
        return new ReloadResult(false, why);
    }
}
