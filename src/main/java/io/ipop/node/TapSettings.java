package io.ipop.node;

import io.ipop.frame.OverlayAddress;

/** {@code ipop.tap}: the inside interface. */
public record TapSettings(String name, OverlayAddress address, int mtu) {

    static TapSettings read(ConfigReader c) {
        String name = c.token("name");
        if (name.length() > 15) {
            throw new ConfigProblem(c.path("name"), "\"" + name + "\" is longer than the 15 characters Linux allows for an interface name");
        }
        OverlayAddress address = c.parsed("address", s -> OverlayAddress.parse(s, true));
        if (address.prefixLength() > 30) {
            throw new ConfigProblem(c.path("address"), "prefix /" + address.prefixLength() + " leaves no room for peers (use /30 or shorter)");
        }
        int mtu = c.intIn("mtu", 576, 9000);
        return new TapSettings(name, address, mtu);
    }
}
