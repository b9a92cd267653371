package io.ipop.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads typed values from one config subtree and turns every failure into a {@link ConfigProblem}
 * naming the full key path. {@code prefix} is the path of the subtree, used only in messages.
 */
public final class ConfigReader {
    /** Names of nodes, peers, groups and interfaces: safe in logs, JSON and file names. */
    public static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Config config;
    private final String prefix;

    public ConfigReader(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    public String path(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    public ConfigReader at(String key) {
        return new ConfigReader(get(key, config::getConfig), path(key));
    }

    public String string(String key) {
        return get(key, config::getString);
    }

    /** A name matching {@link #TOKEN}. */
    public String token(String key) {
        String v = string(key);
        if (!TOKEN.matcher(v).matches()) {
            throw new ConfigProblem(path(key), "\"" + v + "\" is not a valid name (letters, digits, '.', '_', '-'; 1..64 characters)");
        }
        return v;
    }

    public boolean bool(String key) {
        return get(key, config::getBoolean);
    }

    public int intIn(String key, int min, int max) {
        Object raw = get(key, config::getAnyRef);
        if (raw instanceof Double || raw instanceof String s && s.contains(".")) {
            throw new ConfigProblem(path(key), raw + " is not a whole number");
        }
        int v = get(key, config::getInt);
        if (v < min || v > max) {
            throw new ConfigProblem(path(key), v + " is out of range " + min + ".." + max);
        }
        return v;
    }

    public long bytesIn(String key, long min, long max) {
        long v = get(key, config::getBytes);
        if (v < min || v > max) {
            throw new ConfigProblem(path(key), v + " bytes is out of range " + min + ".." + max);
        }
        return v;
    }

    public Duration positiveDuration(String key) {
        Duration d = get(key, config::getDuration);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigProblem(path(key), "must be a positive duration (e.g. 1s, 250ms), was " + d);
        }
        return d;
    }

    /** A duration within {@code min..max} (both inclusive). */
    public Duration durationIn(String key, Duration min, Duration max) {
        Duration d = get(key, config::getDuration);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigProblem(path(key), d + " is out of range " + min + ".." + max);
        }
        return d;
    }

    public List<String> stringList(String key) {
        return get(key, config::getStringList);
    }

    public List<? extends Config> objectList(String key) {
        return get(key, config::getConfigList);
    }

    /** Parses a string value, turning the parser's IllegalArgumentException into a ConfigProblem. */
    public <T> T parsed(String key, Function<String, T> parser) {
        String v = string(key);
        try {
            return parser.apply(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem(path(key), e.getMessage());
        }
    }

    /** Like {@link #parsed} for an enum spelled in lower case with dashes ({@code by-group}). */
    public <E extends Enum<E>> E lowerCaseEnum(String key, Class<E> type) {
        String v = string(key);
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(v)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : " | ").append(e.name().toLowerCase().replace('_', '-'));
        }
        throw new ConfigProblem(path(key), "unknown value \"" + v + "\" (expected " + allowed + ")");
    }

    private <T> T get(String key, Function<String, T> getter) {
        try {
            return getter.apply(key);
        } catch (ConfigException.Null e) {
            throw new ConfigProblem(path(key), "must be set (it is null)");
        } catch (ConfigException.Missing e) {
            throw new ConfigProblem(path(key), "missing (required)");
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw new ConfigProblem(path(key), wrongType(e));
        }
    }

    private String wrongType(ConfigException e) {
        String m = e.getMessage();
        int i = m.indexOf(": ");
        // Typesafe messages read "origin: path has type X rather than Y"; keep the part after the origin.
        String tail = i >= 0 ? m.substring(m.lastIndexOf(": ") + 2) : m;
        return tail.replace('\n', ' ');
    }

    public boolean isList(String key) {
        return config.hasPath(key) && config.getValue(key).valueType() == ConfigValueType.LIST;
    }
}
