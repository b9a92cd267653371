/**
 * The {@code ipop-node} command line around the node: how a bad argument is reported (one line naming the
 * option, exit 2: {@link io.ipop.cli.UsageErrors}), the config generator {@code ipop-node init}, and the
 * version. The commands themselves are picocli {@code @Command} classes beside what they drive
 * ({@code io.ipop.Main}, {@code io.ipop.CaCommand}, {@code io.ipop.status.StatusCommand}).
 */
package io.ipop.cli;
