package manifest

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"wasmsite/server/internal/allowlist"
)

type v2Manifest struct {
	SpinManifestVersion any                         `toml:"spin_manifest_version"`
	Application         *v2Application              `toml:"application"`
	Variables           map[string]rawVariable      `toml:"variables"`
	Trigger             map[string][]map[string]any `toml:"trigger"`
	Component           map[string]v2Component      `toml:"component"`
}

type v2Application struct {
	Name        *string                   `toml:"name"`
	Version     string                    `toml:"version"`
	Description string                    `toml:"description"`
	Authors     []string                  `toml:"authors"`
	Trigger     map[string]map[string]any `toml:"trigger"`
	Tool        map[string]any            `toml:"tool"`
}

type v2Component struct {
	commonComponent
	Variables            map[string]string `toml:"variables"`
	AllowedOutboundHosts []string          `toml:"allowed_outbound_hosts"`
	AllowedHTTPHosts     []string          `toml:"allowed_http_hosts"`
	Tool                 map[string]any    `toml:"tool"`
}

func parseV2(data []byte, dir, file string) (*App, error) {
	var m v2Manifest
	if err := decodeTOML(file, data, &m); err != nil {
		return nil, err
	}
	if m.Application == nil {
		return nil, fmt.Errorf(`%s: missing [application] table`, file)
	}
	a := m.Application
	if a.Name == nil || *a.Name == "" {
		return nil, fmt.Errorf(`%s: application: missing field "name"`, file)
	}
	app := &App{Name: *a.Name, Version: a.Version, Description: a.Description, Authors: append([]string{}, a.Authors...), HTTPBase: "/"}
	for _, typ := range sortedKeys(a.Trigger) {
		t := a.Trigger[typ]
		switch typ {
		case "http":
			if err := onlyKeys(t, "base"); err != nil {
				return nil, fmt.Errorf("%s: application.trigger.http: %v", file, err)
			}
			base, err := tableString(t, "base", false)
			if err != nil {
				return nil, fmt.Errorf("%s: application.trigger.http: %v", file, err)
			}
			if base != "" {
				app.HTTPBase = base
			}
		case "redis":
			if err := onlyKeys(t, "address"); err != nil {
				return nil, fmt.Errorf("%s: application.trigger.redis: %v", file, err)
			}
			addr, err := tableString(t, "address", false)
			if err != nil {
				return nil, fmt.Errorf("%s: application.trigger.redis: %v", file, err)
			}
			app.RedisAddress = addr
		default:
			return nil, fmt.Errorf("%s: application.trigger: unsupported trigger type %q (supported: http, redis)", file, typ)
		}
	}
	vars, err := convertVariables(file, m.Variables, 2)
	if err != nil {
		return nil, err
	}
	app.Variables = vars

	ids := make([]string, 0, len(m.Component))
	for id := range m.Component {
		ids = append(ids, id)
	}
	order := componentOrder(data)
	sort.SliceStable(ids, func(i, j int) bool {
		oi, iok := order[ids[i]]
		oj, jok := order[ids[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return ids[i] < ids[j]
	})
	byID := map[string]bool{}
	for _, id := range ids {
		rc := m.Component[id]
		c, err := convertV2Component(id, &rc, dir, vars)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		byID[id] = true
		app.Components = append(app.Components, c)
	}

	// Resolve a trigger's component reference (string ID or inline table).
	resolveComponent := func(where string, t map[string]any, trigID string) (string, error) {
		switch v := t["component"].(type) {
		case nil:
			return "", fmt.Errorf(`%s: missing field "component"`, where)
		case string:
			if !byID[v] {
				return "", fmt.Errorf("%s: component %q is not defined (no [component.%s])", where, v, v)
			}
			return v, nil
		case map[string]any:
			id := inlineComponentID(trigID, byID)
			var rc v2Component
			if err := decodeInline(v, &rc); err != nil {
				return "", fmt.Errorf("%s: inline component: %v", where, err)
			}
			c, err := convertV2Component(id, &rc, dir, vars)
			if err != nil {
				return "", fmt.Errorf("%s: inline %v", where, err)
			}
			byID[id] = true
			app.Components = append(app.Components, c)
			return id, nil
		default:
			return "", fmt.Errorf(`%s: field "component" must be a component ID string or an inline component table`, where)
		}
	}

	if m.Trigger == nil {
		return nil, fmt.Errorf(`%s: missing field "trigger" (add at least one [[trigger.http]] or [[trigger.redis]])`, file)
	}
	for _, typ := range sortedKeys(m.Trigger) {
		if typ != "http" && typ != "redis" {
			return nil, fmt.Errorf("%s: unsupported trigger type %q ([[trigger.%s]]; supported: http, redis)", file, typ, typ)
		}
	}
	trigIDs := normalizeTriggerIDs(m.Trigger)
	for i, t := range m.Trigger["http"] {
		where := fmt.Sprintf("%s: trigger.http[%d]", file, i)
		if err := onlyKeys(t, "id", "route", "component", "executor"); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if _, err := tableString(t, "id", false); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		trigID := trigIDs["http"][i]
		ht := HTTPTrigger{ID: trigID}
		switch r := t["route"].(type) {
		case nil:
			return nil, fmt.Errorf(`%s: missing field "route"`, where)
		case string:
			if r == "" {
				return nil, fmt.Errorf(`%s: field "route" must not be empty`, where)
			}
			ht.Route = r
		case map[string]any:
			if err := onlyKeys(r, "private"); err != nil {
				return nil, fmt.Errorf("%s: route: %v", where, err)
			}
			if p, ok := r["private"].(bool); !ok || !p {
				return nil, fmt.Errorf(`%s: route: expected a route string or { private = true }`, where)
			}
			ht.Private = true
		default:
			return nil, fmt.Errorf(`%s: field "route" must be a string or { private = true }`, where)
		}
		var err error
		if ht.Executor, err = parseExecutor(t["executor"], 2); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if ht.Component, err = resolveComponent(where, t, trigID); err != nil {
			return nil, err
		}
		app.HTTPTriggers = append(app.HTTPTriggers, ht)
	}
	for i, t := range m.Trigger["redis"] {
		where := fmt.Sprintf("%s: trigger.redis[%d]", file, i)
		if err := onlyKeys(t, "id", "channel", "component", "address", "executor"); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if _, err := tableString(t, "id", false); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		trigID := trigIDs["redis"][i]
		ch, err := tableString(t, "channel", true)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		addr, err := tableString(t, "address", false)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if addr == "" {
			addr = app.RedisAddress
		}
		if addr == "" {
			return nil, fmt.Errorf("%s: no Redis address: set address here or in [application.trigger.redis]", where)
		}
		if err := parseRedisExecutor(t["executor"]); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		rt := RedisTrigger{ID: trigID, Channel: ch, Address: addr}
		if rt.Component, err = resolveComponent(where, t, trigID); err != nil {
			return nil, err
		}
		app.RedisTriggers = append(app.RedisTriggers, rt)
	}
	return app, nil
}

func convertV2Component(id string, rc *v2Component, dir string, vars map[string]Variable) (*Component, error) {
	where := fmt.Sprintf("component %q", id)
	if err := validateKebabID(id); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	c := &Component{ID: id}
	if err := fillCommon(c, &rc.commonComponent, dir, vars, 2); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	var err error
	if c.Config, err = checkConfig(rc.Variables, vars, "variables", 2); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	if err := checkHosts(rc.AllowedOutboundHosts, vars, "allowed_outbound_hosts", 2); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	c.AllowedOutboundHosts = append([]string{}, rc.AllowedOutboundHosts...)
	conv, err := convertAllowedHTTPHosts(rc.AllowedHTTPHosts)
	if err != nil {
		return nil, fmt.Errorf("%s: allowed_http_hosts: %v", where, err)
	}
	c.AllowedOutboundHosts = append(c.AllowedOutboundHosts, conv...)
	return c, nil
}

// convertAllowedHTTPHosts converts v1-syntax allowed_http_hosts entries in a v2 manifest to
// allowed_outbound_hosts entries (allowlist.FromV1).
func convertAllowedHTTPHosts(entries []string) ([]string, error) {
	var out []string
	for _, e := range entries {
		if isTemplate(e) {
			return nil, fmt.Errorf("entry %q: templates are only supported in allowed_outbound_hosts", e)
		}
		conv, err := allowlist.FromV1(e)
		if err != nil {
			return nil, err
		}
		out = append(out, conv...)
	}
	return out, nil
}

// normalizeTriggerIDs returns each trigger's ID by type and index: the given `id`, else
// "<component>-<type>-trigger" for a component reference when unused, else
// "<type>-trigger<N>" (spin@v2.7.0 crates/manifest/src/normalize.rs).
func normalizeTriggerIDs(triggers map[string][]map[string]any) map[string][]string {
	taken := map[string]bool{}
	for _, ts := range triggers {
		for _, t := range ts {
			if id, _ := t["id"].(string); id != "" {
				taken[id] = true
			}
		}
	}
	out := map[string][]string{}
	for _, typ := range []string{"http", "redis"} {
		counter := 1
		for _, t := range triggers[typ] {
			id, _ := t["id"].(string)
			if id == "" {
				if comp, ok := t["component"].(string); ok && !taken[comp+"-"+typ+"-trigger"] {
					id = comp + "-" + typ + "-trigger"
				} else {
					for ; ; counter++ {
						if c := fmt.Sprintf("%s-trigger%d", typ, counter); !taken[c] {
							id = c
							break
						}
					}
				}
				taken[id] = true
			}
			out[typ] = append(out[typ], id)
		}
	}
	return out
}

// inlineComponentID names an inline component like Spin 2: "<trigger-id>-component" when
// that is a valid, unused kebab-case ID, else the first unused "inline-component<N>".
func inlineComponentID(trigID string, taken map[string]bool) string {
	if id := trigID + "-component"; validateKebabID(id) == nil && !taken[id] {
		return id
	}
	for n := 1; ; n++ {
		if id := fmt.Sprintf("inline-component%d", n); !taken[id] {
			return id
		}
	}
}

// decodeInline strictly decodes a free-form table (an inline component) into v.
func decodeInline(t map[string]any, v any) error {
	b, err := toml.Marshal(t)
	if err != nil {
		return err
	}
	d := toml.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var se *toml.StrictMissingError
		if errors.As(err, &se) && len(se.Errors) > 0 {
			return fmt.Errorf("unknown field %q", strings.Join(se.Errors[0].Key(), "."))
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			msg := strings.TrimPrefix(de.Error(), "toml: ")
			if m := typeErrRE.FindStringSubmatch(msg); m != nil {
				msg = fmt.Sprintf("expected %s, found TOML %s", goTypeName(m[2]), m[1])
			}
			return fmt.Errorf("field %q: %s", strings.Join(de.Key(), "."), msg)
		}
		return err
	}
	return nil
}

// componentOrder returns, for each component ID, the index of its first appearance in
// the document ([component.<id>] headers, dotted keys, or keys inside [component]).
func componentOrder(data []byte) map[string]int {
	order := map[string]int{}
	note := func(parts []string) {
		if len(parts) > 1 && parts[0] == "component" {
			if _, ok := order[parts[1]]; !ok {
				order[parts[1]] = len(order)
			}
		}
	}
	keyParts := func(it unstable.Iterator) []string {
		var ps []string
		for it.Next() {
			ps = append(ps, string(it.Node().Data))
		}
		return ps
	}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			note(table)
		case unstable.KeyValue:
			note(append(append([]string{}, table...), keyParts(e.Key())...))
		}
	}
	return order
}
