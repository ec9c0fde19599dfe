package io.xlb.cli;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializerBase;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.xlb.config.Addresses;
import io.xlb.config.Checker;
import io.xlb.config.Config;
import io.xlb.config.VirtualServer;
import io.xlb.config.VirtualServerGroup;
import java.net.InetAddress;

/**
 * The configuration as JSON (check-config --dump): records as objects, durations as ISO-8601
 * ("PT6S"), addresses as the file writes them ("2001:db8::1"), variants tagged by "kind". java/config stays free of Jackson: the tags are mix-ins.
 */
public final class ConfigJson {
    private ConfigJson() {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = VirtualServer.AddressPort.class, name = "address"),
            @JsonSubTypes.Type(value = VirtualServer.Fwmark.class, name = "fwmark"),
            @JsonSubTypes.Type(value = VirtualServer.Group.class, name = "group")})
    private interface KeyMixin {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Checker.TcpCheck.class, name = "TCP_CHECK"),
            @JsonSubTypes.Type(value = Checker.HttpCheck.class, name = "HTTP_GET"),
            @JsonSubTypes.Type(value = Checker.MiscCheck.class, name = "MISC_CHECK"),
            @JsonSubTypes.Type(value = Checker.UdpCheck.class, name = "UDP_CHECK"),
            @JsonSubTypes.Type(value = Checker.PingCheck.class, name = "PING_CHECK"),
            @JsonSubTypes.Type(value = Checker.DnsCheck.class, name = "DNS_CHECK"),
            @JsonSubTypes.Type(value = Checker.SmtpCheck.class, name = "SMTP_CHECK")})
    private interface CheckerMixin {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = VirtualServerGroup.AddressRange.class, name = "range"),
            @JsonSubTypes.Type(value = VirtualServerGroup.Fwmark.class, name = "fwmark")})
    private interface MemberMixin {}

    /** An address as the configuration writes it, never looked up. */
    private static SimpleModule addresses() {
        return new SimpleModule().addSerializer(InetAddress.class, new ToStringSerializerBase(InetAddress.class) {
            @Override
            public String valueToString(Object value) {
                return Addresses.text((InetAddress) value);
            }
        }).addDeserializer(InetAddress.class, new FromStringDeserializer<>(InetAddress.class) {
            @Override
            protected InetAddress _deserialize(String value, com.fasterxml.jackson.databind.DeserializationContext ctxt) {
                if (!Addresses.isLiteral(value)) {
                    throw new IllegalArgumentException("not an IP address: '" + value + "'");
                }
                return Addresses.parse(value);
            }
        });
    }

    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(addresses())
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addMixIn(VirtualServer.Key.class, KeyMixin.class)
                .addMixIn(Checker.class, CheckerMixin.class)
                .addMixIn(VirtualServerGroup.Member.class, MemberMixin.class)
                .build();
    }

    public static String write(Config c) {
        try {
            return mapper().writeValueAsString(c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the configuration as JSON", e);
        }
    }

    public static Config read(String json) {
        try {
            return mapper().readValue(json, Config.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a configuration dump: " + e.getOriginalMessage(), e);
        }
    }
}
