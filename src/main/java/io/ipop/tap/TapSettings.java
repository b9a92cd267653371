package io.ipop.tap;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;

/**
 * {@code ipop.tap}: the inside interface; {@code offload}: TCP segmentation offload to this node (see tap.linux);
 * {@code txQueueLength}: the frames the kernel holds for the node to read.
 */
public record TapSettings(String name, OverlayAddress address, int mtu, MacAddress mac, boolean offload,
                          int txQueueLength) {

    /** The smallest and largest {@code tx-queue-length} taken: below it a JVM pause loses frames at any rate. */
    public static final int MIN_TX_QUEUE = 64;
    public static final int MAX_TX_QUEUE = 65536;

    public static TapSettings read(ConfigReader c, String nodeName) {
        String name = c.token("name");
        if (name.length() > 15) {
            throw new ConfigProblem(c.path("name"), "\"" + name + "\" is longer than the 15 characters Linux allows for an interface name");
        }
        OverlayAddress address = c.parsed("address", s -> OverlayAddress.parse(s, true));
        if (address.prefixLength() > 30) {
            throw new ConfigProblem(c.path("address"), "prefix /" + address.prefixLength() + " leaves no room for peers (use /30 or shorter)");
        }
        int mtu = c.intIn("mtu", 576, 9000);
        return new TapSettings(name, address, mtu, readMac(c, nodeName), c.bool("offload"),
                c.intIn("tx-queue-length", MIN_TX_QUEUE, MAX_TX_QUEUE));
    }

    /**
     * {@code auto}: a locally administered unicast MAC derived from the node name, so a restarted node
     * keeps its MAC and its peers' ARP caches stay valid. Otherwise an explicit unicast MAC.
     */
    private static MacAddress readMac(ConfigReader c, String nodeName) {
        String text = c.string("mac");
        if (text.equals("auto")) {
            return MacAddress.derivedFrom(nodeName);
        }
        MacAddress mac = c.parsed("mac", MacAddress::parse);
        if (mac.isGroup() || mac.bits() == 0) {
            throw new ConfigProblem(c.path("mac"), mac + " is not a unicast MAC address");
        }
        return mac;
    }
}
