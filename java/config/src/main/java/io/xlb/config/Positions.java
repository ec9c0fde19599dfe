package io.xlb.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * Copies of configuration records with every {@link SourcePos} removed: two configurations that
 * differ only in where things were written compare equal (a moved line is no change).
 */
public final class Positions {
    private Positions() {}

    @SuppressWarnings("unchecked")
    static <T> T strip(T value) {
        if (value == null || value instanceof SourcePos) {
            return null;
        }
        if (value instanceof List<?> list) {
            return (T) list.stream().map(Positions::strip).toList();
        }
        Class<?> type = value.getClass();
        if (!type.isRecord()) {
            return value;
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                Object v = components[i].getAccessor().invoke(value);
                args[i] = types[i] == SourcePos.class ? null : strip(v);
            }
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return (T) canonical.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy " + type.getName(), e);
        }
    }

    public static boolean sameIgnoringPositions(Object a, Object b) {
        return java.util.Objects.equals(strip(a), strip(b));
    }
}
