/*
 * policy.h - a jail's effective configuration: its policies merged in
 * order under its own parameters (DESIGN.md section 3).
 *
 * effective params = catalog defaults < policies in order (a later policy
 * wins) < the jail's own "params".  Limits (rctl) come only from policies
 * and merge by (resource, action, per): a later policy's limit with the
 * same key replaces an earlier one's, keeping the first one's position.
 *
 * A layer is one policy as db/policies.h's store_policy_layers gives it:
 * {"name", "params", "limits"} with canonical members (validated by the
 * API).  Pure functions over jansson values; thread-safe.
 */
#ifndef JD_POLICY_H
#define JD_POLICY_H

#include <jansson.h>

/*
 * The document the reconciler builds the prison from: a copy of the jail
 * document doc whose "params" are the layers' merged under doc's own and
 * with "limits", the merged limits as canonical {"resource", "action",
 * "amount", "per"} objects.  With no layers (NULL or empty) it is a
 * plain copy with an empty "limits".  New reference; NULL on
 * out-of-memory.
 */
json_t	*policy_effective_doc(const json_t *doc, const json_t *layers);

/*
 * GET /v1/jails/{name}/effective: {"name", "policies", "params",
 * "limits"}.  Each parameter with a catalog default or set by a layer or
 * the jail is {"value", "layer": "default" | "policy" | "jail", "policy"
 * (policy layers only), "shadowed" (only when a lower layer set it too:
 * [{"value", "layer", "policy"?}], nearest first)}, keys in name order.
 * Each limit is {"resource", "action", "amount", "per", "policy", "rule"}
 * with the rctl rule text for the jail.  New reference; NULL on
 * out-of-memory.
 */
json_t	*policy_effective_view(const json_t *doc, const json_t *layers);

#endif
