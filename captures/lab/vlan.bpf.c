/* vlan.bpf.c: tc eBPF action that pushes or pops an IEEE 802.1Q tag. */
/*
 * The lab kernel has neither the 8021q module nor act_vlan, but it has
 * cls_bpf: this program gives the client's link a tagged span-port view.
 * Built twice: -DLAB_VLAN_PUSH=ID for the push side, without it to pop.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int
lab_vlan(struct __sk_buff *skb)
{
#ifdef LAB_VLAN_PUSH
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), LAB_VLAN_PUSH) != 0)
		return TC_ACT_SHOT;
#else
	/* Untagged frames pass as they are; tagged ones lose their tag. */
	if (skb->vlan_present && bpf_skb_vlan_pop(skb) != 0)
		return TC_ACT_SHOT;
#endif
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
