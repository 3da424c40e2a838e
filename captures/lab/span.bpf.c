/* span.bpf.c: tc eBPF program of a span port that loses packets. */
/*
 * The lab kernel has tc mirred but neither netem nor gact, so a lossy
 * span port is this program: attached to a hook of the mirrored link
 * (cls_bpf, direct-action), it copies each frame to the span interface
 * (-DSPAN_IFINDEX=N) except every SPAN_EVERY-th IPv4 TCP segment that
 * carries data (an atomic counter: build with -mcpu=v3). Each attachment
 * loads the object anew, so each hook (direction) counts its own
 * segments. The forwarded frame always passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef SPAN_IFINDEX
#error "build with -DSPAN_IFINDEX=<ifindex of the span interface>"
#endif
#ifndef SPAN_EVERY
#define SPAN_EVERY 4
#endif

/* Data segments seen on this hook. */
__u32 span_seen = 0;

/* Whether the frame is an IPv4 TCP segment with payload. */
static __always_inline int
has_payload(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp;
	__u32 ihl, doff, total;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP)
		return 0;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip) || ihl > 60)
		return 0;
	tcp = (void *)ip + ihl;
	if ((void *)(tcp + 1) > end)
		return 0;
	doff = tcp->doff * 4;
	total = bpf_ntohs(ip->tot_len);
	return total > ihl + doff;
}

SEC("tc")
int
span(struct __sk_buff *skb)
{
	if (has_payload(skb) &&
	    __sync_fetch_and_add(&span_seen, 1) % SPAN_EVERY == SPAN_EVERY - 1)
		return TC_ACT_OK;
	bpf_clone_redirect(skb, SPAN_IFINDEX, 0);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
