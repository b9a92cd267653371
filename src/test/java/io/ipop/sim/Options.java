package io.ipop.sim;

import java.time.Duration;

/**
 * The simulation's command line: {@code N [--churn P] [--seed S] [--restart-after S] [--join-delay S]
 * [--death-delay S] [--settle S] [--window S] [--pairs K] [--limit S]} (durations in seconds, fractions allowed).
 * A bad argument names itself and exits 2, like a bad config key.
 */
record Options(int nodes, double churnPercent, long seed, Duration restartAfter, Duration joinDelay,
               Duration deathDelay, Duration settle, Duration window, int pairs, Duration limit) {

    static final String USAGE = "usage: simulate.sh N [--churn P] [--seed S] [--restart-after S] [--join-delay S]"
            + " [--death-delay S] [--settle S] [--window S] [--pairs K] [--limit S]";

    static Options parse(String[] args) {
        if (args.length == 0) {
            throw fail(USAGE);
        }
        int nodes = (int) number("N", args[0], 2, 1_000_000);
        double churn = 0;
        long seed = 1;
        double restartAfter = 5;
        double joinDelay = 2;
        double deathDelay = 14;
        double settle = 30;
        double window = 180;
        int pairs = 10_000;
        double limit = 300;
        for (int i = 1; i < args.length; i += 2) {
            String key = args[i];
            if (i + 1 >= args.length) {
                throw fail(key + ": needs a value");
            }
            String v = args[i + 1];
            switch (key) {
                case "--churn" -> churn = number(key, v, 0, 100);
                case "--seed" -> seed = (long) number(key, v, 0, Long.MAX_VALUE);
                case "--restart-after" -> restartAfter = number(key, v, 0, 3600);
                case "--join-delay" -> joinDelay = number(key, v, 0, 3600);
                case "--death-delay" -> deathDelay = number(key, v, 0, 3600);
                case "--settle" -> settle = number(key, v, 0, 3600);
                case "--window" -> window = number(key, v, 1, 3600);
                case "--pairs" -> pairs = (int) number(key, v, 1, 10_000_000);
                case "--limit" -> limit = number(key, v, 1, 36_000);
                default -> throw fail(key + ": unknown option; " + USAGE);
            }
        }
        return new Options(nodes, churn, seed, seconds(restartAfter), seconds(joinDelay), seconds(deathDelay),
                seconds(settle), seconds(window), pairs, seconds(limit));
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private static double number(String key, String v, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw fail(key + ": \"" + v + "\" is not a number");
        }
        if (!(d >= min && d <= max)) {
            throw fail(key + ": " + v + " is out of range " + min + ".." + max);
        }
        return d;
    }

    private static IllegalArgumentException fail(String message) {
        System.err.println("simulate: " + message);
        System.exit(2);
        return new IllegalArgumentException(message);
    }
}
