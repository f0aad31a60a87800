package manifest

import (
	"errors"
	"fmt"
	"slices"
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

// v2Parser carries what parsing one v2 manifest builds up: the app, its variables and
// the IDs of the components defined so far (inline ones included).
type v2Parser struct {
	data      []byte
	dir, file string
	app       *App
	byID      map[string]bool
}

func parseV2(data []byte, dir, file string) (*App, error) {
	var m v2Manifest
	if err := decodeTOML(file, data, &m); err != nil {
		return nil, err
	}
	app, err := v2App(file, m.Application)
	if err != nil {
		return nil, err
	}
	if app.Variables, err = convertVariables(file, m.Variables, 2); err != nil {
		return nil, err
	}
	p := &v2Parser{data: data, dir: dir, file: file, app: app, byID: map[string]bool{}}
	if err := p.components(m.Component); err != nil {
		return nil, err
	}
	if err := p.triggers(m.Trigger); err != nil {
		return nil, err
	}
	return app, nil
}

// v2App reads [application], its [application.trigger.*] tables included.
func v2App(file string, a *v2Application) (*App, error) {
	if a == nil {
		return nil, fmt.Errorf(`%s: missing [application] table`, file)
	}
	if a.Name == nil || *a.Name == "" {
		return nil, fmt.Errorf(`%s: application: missing field "name"`, file)
	}
	app := &App{Name: *a.Name, Version: a.Version, Description: a.Description, Authors: append([]string{}, a.Authors...), HTTPBase: "/"}
	for _, typ := range sortedKeys(a.Trigger) {
		t := a.Trigger[typ]
		key := map[string]string{"http": "base", "redis": "address"}[typ]
		if key == "" {
			return nil, fmt.Errorf("%s: application.trigger: unsupported trigger type %q (supported: http, redis)", file, typ)
		}
		if err := onlyKeys(t, key); err != nil {
			return nil, fmt.Errorf("%s: application.trigger.%s: %v", file, typ, err)
		}
		v, err := tableString(t, key, false)
		if err != nil {
			return nil, fmt.Errorf("%s: application.trigger.%s: %v", file, typ, err)
		}
		if typ == "redis" {
			app.RedisAddress = v
		} else {
			app.HTTPBase = normalizeBase(v)
		}
	}
	return app, nil
}

// components converts the [component.<id>] tables in manifest order.
func (p *v2Parser) components(comps map[string]v2Component) error {
	ids := make([]string, 0, len(comps))
	for id := range comps {
		ids = append(ids, id)
	}
	order := componentOrder(p.data)
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
	for _, id := range ids {
		rc := comps[id]
		c, err := convertV2Component(id, &rc, p.dir, p.app.Variables)
		if err != nil {
			return fmt.Errorf("%s: %v", p.file, err)
		}
		p.add(c)
	}
	return nil
}

func (p *v2Parser) add(c *Component) {
	p.byID[c.ID] = true
	p.app.Components = append(p.app.Components, c)
}

// component resolves a trigger's component reference: a string ID, or an inline
// component table, which is converted and added under an ID of its own.
func (p *v2Parser) component(where string, t map[string]any, trigID string) (string, error) {
	switch v := t["component"].(type) {
	case nil:
		return "", fmt.Errorf(`%s: missing field "component"`, where)
	case string:
		if !p.byID[v] {
			return "", fmt.Errorf("%s: component %q is not defined (no [component.%s])", where, v, v)
		}
		return v, nil
	case map[string]any:
		id := inlineComponentID(trigID, p.byID)
		var rc v2Component
		if err := decodeInline(v, &rc); err != nil {
			return "", fmt.Errorf("%s: inline component: %v", where, err)
		}
		c, err := convertV2Component(id, &rc, p.dir, p.app.Variables)
		if err != nil {
			return "", fmt.Errorf("%s: inline %v", where, err)
		}
		p.add(c)
		return id, nil
	default:
		return "", fmt.Errorf(`%s: field "component" must be a component ID string or an inline component table`, where)
	}
}

// triggers converts the [[trigger.http]] and [[trigger.redis]] tables.
func (p *v2Parser) triggers(triggers map[string][]map[string]any) error {
	if triggers == nil {
		return fmt.Errorf(`%s: missing field "trigger" (add at least one [[trigger.http]] or [[trigger.redis]])`, p.file)
	}
	for _, typ := range sortedKeys(triggers) {
		if typ != "http" && typ != "redis" {
			return fmt.Errorf("%s: unsupported trigger type %q ([[trigger.%s]]; supported: http, redis)", p.file, typ, typ)
		}
	}
	trigIDs := normalizeTriggerIDs(triggers)
	for i, t := range triggers["http"] {
		ht, err := p.httpTrigger(fmt.Sprintf("%s: trigger.http[%d]", p.file, i), t, trigIDs["http"][i])
		if err != nil {
			return err
		}
		p.app.HTTPTriggers = append(p.app.HTTPTriggers, ht)
	}
	for i, t := range triggers["redis"] {
		rt, err := p.redisTrigger(fmt.Sprintf("%s: trigger.redis[%d]", p.file, i), t, trigIDs["redis"][i])
		if err != nil {
			return err
		}
		p.app.RedisTriggers = append(p.app.RedisTriggers, rt)
	}
	return nil
}

func (p *v2Parser) httpTrigger(where string, t map[string]any, trigID string) (HTTPTrigger, error) {
	ht := HTTPTrigger{ID: trigID}
	if err := onlyKeys(t, "id", "route", "component", "executor"); err != nil {
		return ht, fmt.Errorf("%s: %v", where, err)
	}
	if _, err := tableString(t, "id", false); err != nil {
		return ht, fmt.Errorf("%s: %v", where, err)
	}
	var err error
	if ht.Route, ht.Private, err = parseRoute(t["route"]); err != nil {
		return ht, fmt.Errorf("%s: %v", where, err)
	}
	if !ht.Private && ht.Route == "" {
		return ht, fmt.Errorf(`%s: field "route" must not be empty`, where)
	}
	if ht.Executor, err = parseExecutor(t["executor"]); err != nil {
		return ht, fmt.Errorf("%s: %v", where, err)
	}
	ht.Component, err = p.component(where, t, trigID)
	return ht, err
}

// parseRoute reads an HTTP trigger's route: a string, or { private = true } for a
// component reachable only through service chaining (spin@v2.7.0 crates/http/src/config.rs
// HttpTriggerRouteConfig, since v2.5, for both manifest versions).
func parseRoute(route any) (string, bool, error) {
	switch r := route.(type) {
	case nil:
		return "", false, errors.New(`missing field "route"`)
	case string:
		return r, false, nil
	case map[string]any:
		if err := onlyKeys(r, "private"); err != nil {
			return "", false, fmt.Errorf("route: %v", err)
		}
		if p, ok := r["private"].(bool); !ok || !p {
			return "", false, errors.New(`route: expected a route string or { private = true }`)
		}
		return "", true, nil
	default:
		return "", false, errors.New(`field "route" must be a string or { private = true }`)
	}
}

func (p *v2Parser) redisTrigger(where string, t map[string]any, trigID string) (RedisTrigger, error) {
	rt := RedisTrigger{ID: trigID}
	if err := onlyKeys(t, "id", "channel", "component", "address", "executor"); err != nil {
		return rt, fmt.Errorf("%s: %v", where, err)
	}
	if _, err := tableString(t, "id", false); err != nil {
		return rt, fmt.Errorf("%s: %v", where, err)
	}
	var err error
	if rt.Channel, err = tableString(t, "channel", true); err != nil {
		return rt, fmt.Errorf("%s: %v", where, err)
	}
	if rt.Address, err = tableString(t, "address", false); err != nil {
		return rt, fmt.Errorf("%s: %v", where, err)
	}
	if rt.Address == "" {
		rt.Address = p.app.RedisAddress
	}
	if rt.Address == "" {
		return rt, fmt.Errorf("%s: no Redis address: set address here or in [application.trigger.redis]", where)
	}
	if err := parseRedisExecutor(t["executor"]); err != nil {
		return rt, fmt.Errorf("%s: %v", where, err)
	}
	rt.Component, err = p.component(where, t, trigID)
	return rt, err
}

func convertV2Component(id string, rc *v2Component, dir string, vars map[string]Variable) (*Component, error) {
	where := fmt.Sprintf("component %q", id)
	if err := validateKebabID(id); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	c := &Component{ID: id, HostsVersion: 2}
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

// convertAllowedHTTPHosts converts v1-syntax allowed_http_hosts entries to
// allowed_outbound_hosts entries (allowlist.FromV1); a list holding "insecure:allow-all"
// allows everything whatever else it holds (spin@v2.7.0
// crates/manifest/src/compat/allowed_http_hosts.rs parse_allowed_http_hosts).
func convertAllowedHTTPHosts(entries []string) ([]string, error) {
	if slices.Contains(entries, allowlist.AllowAll) {
		return allowlist.FromV1(allowlist.AllowAll)
	}
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
