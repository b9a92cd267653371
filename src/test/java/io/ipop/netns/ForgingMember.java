package io.ipop.netns;

import io.ipop.discovery.PeerRecord;
import io.ipop.discovery.PeerRecordSerializer;
import io.ipop.node.NodeSettings;
import io.ipop.secure.NodeIdentity;
import java.io.File;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Test-only insider: a cluster member with a valid certificate of the overlay CA (that of node {@code x}) that
 * writes forged peer records into the cluster directory instead of its own. Started by
 * {@link ClusterRecordsNetnsIT} in x's namespace with the test classpath; it is no ipop node (no TAP, no links),
 * only the ActorSystem a node of that config would run, so it joins exactly as a node would (cluster TLS with x's
 * certificate).
 *
 * <pre>
 * java -cp CP io.ipop.netns.ForgingMember CONFIG VICTIM VICTIM_MEMBER FLOOD SECONDS
 * </pre>
 *
 * Once Up (log {@code forger: up}) it writes {@code FLOOD} unsigned records {@code fake-N} with endpoints in
 * 198.51.100.0/24, its own record bound to {@code VICTIM_MEMBER} (another member's address), and then every
 * 500 ms, alternately, deletes the victim's record and writes a record in the victim's name, naming the victim's
 * own member (copied from the victim's record), that points to 192.0.2.99:5999 (signed with x's key and
 * certificate), for {@code SECONDS}; then logs {@code forger: done} and stays a member until stopped. Records are
 * built from their JSON form, so this runs against older builds too.
 */
public final class ForgingMember {
    private static final Key<LWWMap<String, PeerRecord>> KEY = LWWMapKey.create("ipop-peers");
    private static final String MANIFEST = "PeerRecord.v1";
    private static final Duration TICK = Duration.ofMillis(500);

    private interface Command {
    }

    private enum Up implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    private record Written(Replicator.UpdateResponse<LWWMap<String, PeerRecord>> response) implements Command {
    }

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, PeerRecord>> response) implements Command {
    }

    private ForgingMember() {
    }

    public static void main(String[] args) {
        NodeSettings settings = NodeSettings.load(new File(args[0]));
        String victim = args[1];
        String victimMember = args[2];
        int flood = Integer.parseInt(args[3]);
        long ticks = Long.parseLong(args[4]) * 1000 / TICK.toMillis();
        Optional<NodeIdentity> identity = settings.security().identity();
        ActorSystem.create(forger(settings.name(), identity, victim, victimMember, flood, ticks), "ipop",
                settings.discovery().clusterSystemConfig(settings.config()));   // as a node's cluster system
    }

    private static Behavior<Command> forger(String self, Optional<NodeIdentity> identity, String victim, String victimMember,
                                            int flood, long ticks) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                DistributedData.<Command, LWWMap<String, PeerRecord>>withReplicatorMessageAdapter(replicator -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            SelfUniqueAddress node = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
            String member = cluster.selfMember().uniqueAddress().address() + "#" + cluster.selfMember().uniqueAddress().longUid();
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, u -> Up.INSTANCE), SelfUp.class));
            replicator.subscribe(KEY, Changed::new);
            long[] tick = {0};
            String[] victimsOwnMember = {null};
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Up.INSTANCE, () -> {
                        System.out.println("forger: up as " + member);
                        for (int i = 0; i < flood; i++) {
                            PeerRecord fake = record("fake-" + i, "10.77.1." + (i % 250 + 1) + "/16",
                                    "198.51.100." + (i % 250 + 1) + ":" + (5800 + i / 250), member);
                            replicator.askUpdate(r -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), r,
                                    m -> m.put(node, fake.name(), fake)), Written::new);
                        }
                        PeerRecord borrowed = signed(record(self, "10.77.0.9/24", "192.0.2.9:5800", victimMember), identity);
                        replicator.askUpdate(r -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), r,
                                m -> m.put(node, self, borrowed)), Written::new);
                        System.out.println("forger: wrote " + flood + " fake records and " + self + "'s bound to " + victimMember);
                        timers.startTimerAtFixedRate(Tick.INSTANCE, TICK);
                        return Behaviors.same();
                    })
                    .onMessageEquals(Tick.INSTANCE, () -> {
                        if (tick[0] % 2 == 0) {
                            replicator.askUpdate(r -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), r,
                                    m -> m.remove(node, victim)), Written::new);
                        } else if (victimsOwnMember[0] != null) {
                            PeerRecord forged = signed(record(victim, "10.77.0.2/24", "192.0.2.99:5999", victimsOwnMember[0]),
                                    identity);
                            replicator.askUpdate(r -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), r,
                                    m -> m.put(node, victim, forged)), Written::new);
                        }
                        if (++tick[0] == ticks) {
                            timers.cancel(Tick.INSTANCE);
                            System.out.println("forger: done after " + ticks + " rounds");
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Written.class, w -> Behaviors.same())
                    .onMessage(Changed.class, c -> {
                        if (c.response() instanceof Replicator.Changed<LWWMap<String, PeerRecord>> changed) {
                            PeerRecord real = changed.get(KEY).getEntries().get(victim);
                            if (real != null && !real.instance().equals("forged")) {
                                victimsOwnMember[0] = real.member();
                            }
                        }
                        return Behaviors.same();
                    })
                    .build();
        })));
    }

    /** A record from its JSON form, as any member could write it. */
    private static PeerRecord record(String name, String address, String endpoint, String member) {
        String json = """
                {"name":"%s","instance":"forged","address":"%s","mac":"02:66:00:00:00:01","endpoints":["%s"],
                 "groups":["blue"],"member":"%s"}""".formatted(name, address, endpoint, member);
        try {
            return (PeerRecord) new PeerRecordSerializer().fromBinary(json.getBytes(StandardCharsets.UTF_8), MANIFEST);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Signed with the insider's own key and certificate, where this build can sign records; else as it is. Looked up
     * by name so that this program also compiles and runs against builds from before signed records (to show the
     * attack working there).
     */
    private static PeerRecord signed(PeerRecord r, Optional<NodeIdentity> identity) {
        if (identity.isEmpty()) {
            return r;
        }
        try {
            return (PeerRecord) Class.forName("io.ipop.discovery.RecordSignature")
                    .getMethod("sign", PeerRecord.class, NodeIdentity.class).invoke(null, r, identity.get());
        } catch (ClassNotFoundException olderBuild) {
            return r;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot sign a record", e);
        }
    }
}
