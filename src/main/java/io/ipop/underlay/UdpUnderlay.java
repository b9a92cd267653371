package io.ipop.underlay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/** The real underlay: one blocking {@link DatagramChannel}. */
public final class UdpUnderlay implements Underlay {
    private final DatagramChannel channel;
    private final Endpoint local;
    private final ThreadLocal<ByteBuffer> receiveWrap = new ThreadLocal<>();

    private UdpUnderlay(DatagramChannel channel, Endpoint local) {
        this.channel = channel;
        this.local = local;
    }

    /**
     * Binds the socket.
     *
     * @param socketBuffer SO_RCVBUF/SO_SNDBUF in bytes (the kernel may cap it at net.core.*mem_max)
     * @throws IOException with the address in the message if the bind fails
     */
    public static UdpUnderlay bind(InetSocketAddress address, int socketBuffer) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
            ch.bind(address);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot bind UDP " + address.getAddress().getHostAddress() + ":" + address.getPort() + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) ch.getLocalAddress();
        return new UdpUnderlay(ch, Endpoint.of(bound.getAddress(), bound.getPort()));
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    @Override
    public Received receive(byte[] buf) throws IOException {
        ByteBuffer wrap = receiveWrap.get();
        if (wrap == null || wrap.array() != buf) {
            wrap = ByteBuffer.wrap(buf);
            receiveWrap.set(wrap);
        }
        wrap.clear();
        try {
            SocketAddress from = channel.receive(wrap);
            if (from == null) {
                return null;
            }
            return new Received(new Endpoint((InetSocketAddress) from), wrap.position());
        } catch (ClosedChannelException e) {
            return null;
        }
    }

    @Override
    public void send(byte[] buf, int offset, int length, Endpoint to) throws IOException {
        channel.send(ByteBuffer.wrap(buf, offset, length), to.address());
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a datagram channel has nothing to flush; nothing to do
        }
    }
}
