package io.ipop.peer;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.wire.PeerId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of the overlay this node may open an overlay session to (docs/architecture.md, "Overlay paths"):
 * every peer discovery reported, linked directly or not, by name, by MAC and by overlay address. A member's MAC
 * is the one its record gives, else the one its name derives ({@code tap.mac = auto}, which a certificate makes
 * mandatory); its address only if its record gives one. The directory writes it; the data plane's
 * {@link OnDemandOverlay} and the inbound check of overlay link setup read it. Thread-safe.
 */
public final class OverlayMembers {
    private final Map<PeerId, Member> byName = new ConcurrentHashMap<>();
    private final Map<Long, PeerId> byMac = new ConcurrentHashMap<>();
    private final Map<Integer, PeerId> byAddress = new ConcurrentHashMap<>();

    /** One member: its MAC bits, its overlay address (0 if unknown). */
    record Member(PeerId name, long mac, int address) {
    }

    /** Discovery reported {@code name}; {@code mac} and {@code address} may be null (a static peer). */
    public void found(PeerId name, MacAddress mac, OverlayAddress address) {
        Member m = new Member(name, (mac == null ? MacAddress.derivedFrom(name.name()) : mac).bits(),
                address == null ? 0 : address.address());
        Member old = byName.put(name, m);
        if (old != null) {
            byMac.remove(old.mac(), name);
            byAddress.remove(old.address(), name);
        }
        byMac.put(m.mac(), name);
        if (m.address() != 0) {
            byAddress.put(m.address(), name);
        }
    }

    public void lost(PeerId name) {
        Member old = byName.remove(name);
        if (old != null) {
            byMac.remove(old.mac(), name);
            byAddress.remove(old.address(), name);
        }
    }

    public boolean known(PeerId name) {
        return byName.containsKey(name);
    }

    /** The member whose MAC is {@code mac}, or null. */
    public PeerId byMac(long mac) {
        return byMac.get(mac);
    }

    /** The member whose overlay address is {@code address}, or null. */
    public PeerId byAddress(int address) {
        return byAddress.get(address);
    }

    /** The member's MAC bits, or 0 if it is not a member. */
    public long macOf(PeerId name) {
        Member m = byName.get(name);
        return m == null ? 0 : m.mac();
    }
}
