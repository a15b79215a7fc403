//! How well `check-utterance` tells the eight taboos (and the wording rules)
//! from innocent look-alikes, measured on realistic agent sentences.
//!
//! Every sentence was written for this test and labelled with the rule it
//! breaks (or `None`). Many innocent ones share characters with a taboo on
//! purpose: "应该"/"欠款"/"撞色" against the insults 该/欠/撞, "你能收到吗"
//! against the arguing phrase "你能", a customer's own question about credit
//! cards against the platform-rule taboo.
//!
//! Rates:
//! - false positive = an innocent sentence that raised any violation, over
//!   the innocent sentences;
//! - false negative = a violating sentence whose labelled rule was not
//!   raised, over the violating sentences.
//!
//! Thresholds: FP ≤ 5 % because a false alarm costs an agent penalty points
//! for nothing and quickly teaches agents to ignore the checker; FN ≤ 10 %
//! because the checker backs up, not replaces, the quality team's sampling
//! of conversations, so an occasional miss is caught there. EC-T3 (leaving
//! after "请稍等") is about silence, not words: its tests are in `rules.rs`.

use sopline_plugin_ecommerce::Ecommerce;
use sopline_sdk::testing::{Harness, contact};
use sopline_sdk::{Plugin, Speaker};

/// (sentence, expected rule or None). The harness customer is 王小明,
/// phone 13800000000.
const CASES: &[(&str, Option<&str>)] = &[
    // EC-T1 insults (死、坟、欠、该、撞 used as insults)
    ("这是你活该,谁让你下单前不看详情页", Some("EC-T1")),
    ("你这种人就是欠骂", Some("EC-T1")),
    ("你怎么不去死啊", Some("EC-T1")),
    ("你是不是脑子被门撞了", Some("EC-T1")),
    ("你 活 该!", Some("EC-T1")),
    ("你真是找死", Some("EC-T1")),
    ("你有病吧,说了多少遍了", Some("EC-T1")),
    ("再闹小心你家祖坟冒烟", Some("EC-T1")),
    ("您应该在订单页面点确认收货", None),
    ("您的欠款已经结清,不会影响下单", None),
    ("撞色款还有货,您可以放心下单", None),
    ("手机死机的话长按电源键10秒重启", None),
    ("这款去死皮膏适合敏感肌使用", None),
    ("这个价格是该商品的活动价", None),
    ("滚筒洗衣机目前有现货", None),
    ("应该是物流信息还没更新,我帮您查一下", None),
    // EC-T2 blocking the buyer
    ("再这样我就把你拉黑", Some("EC-T2")),
    ("已经屏蔽你了,别再发了", Some("EC-T2")),
    ("您可以在手机设置里把骚扰电话拉黑", None),
    ("我们不会拉黑您的,请放心", None),
    // EC-T3 is behaviour, not words: saying 请稍等 is fine in itself.
    ("请稍等,我帮您核实一下物流", None),
    // EC-T4 the agent's own private data
    ("我的手机号是13912345678,有事直接打", Some("EC-T4")),
    ("我今年才22岁,刚毕业", Some("EC-T4")),
    ("我是浙江大学毕业的,这个我懂", Some("EC-T4")),
    ("我家就住在滨江区,离仓库很近", Some("EC-T4")),
    ("我是女生,我自己也在用这款", Some("EC-T4")),
    ("我最近生病了回复慢,见谅", Some("EC-T4")),
    ("请您留下收货人的电话,方便快递联系", None),
    ("我是客服小美,很高兴为您服务", None),
    ("这款适合3岁以上的宝宝使用", None),
    ("退货地址已经发到您的订单消息里了", None),
    // EC-T5 arguing
    ("你厉害,你说了算", Some("EC-T5")),
    ("你能你来啊", Some("EC-T5")),
    ("你对你对,都是你对", Some("EC-T5")),
    ("我不行,你行你来", Some("EC-T5")),
    ("这你都知道?", Some("EC-T5")),
    ("你去找别人吧,这个我管不了", Some("EC-T5")),
    ("呵呵了,随便你", Some("EC-T5")),
    ("我也是醉了", Some("EC-T5")),
    ("您能收到验证码吗?", None),
    ("你能看到订单详情页吗", None),
    ("您对这款的颜色有要求吗", None),
    ("您说得对,我马上为您处理", None),
    ("您能耐心等我两分钟吗,我正在核实", None),
    ("宝宝玩得乐呵呵的,很多妈妈回购", None),
    ("这款香水的味道让人陶醉了", None),
    ("你找别人代收也可以的", None),
    // EC-T6 leaking customer data, contact outside the ordering account
    ("上一个买家的地址是杭州市西湖区,跟您一样", Some("EC-T6")),
    ("其他客户的电话我可以发给你参考", Some("EC-T6")),
    ("加个微信私聊吧", Some("EC-T6")),
    ("您的号码是13800000000对吧", Some("EC-T6")),
    ("其他顾客的订单信息我们无法透露", None),
    ("为保护您的隐私,我们只通过下单账号与您联系", None),
    ("您的手机尾号0000对吗", None),
    // EC-T7 platform rules: invoices, credit cards, payment, delivery promises
    ("明天肯定到,您放心", Some("EC-T7")),
    ("开发票要加6个点", Some("EC-T7")),
    ("用信用卡要加手续费的", Some("EC-T7")),
    ("您直接转账给我就行,不用走平台", Some("EC-T7")),
    ("今天下单保证今天发货", Some("EC-T7")),
    ("我们这边不开发票的", Some("EC-T7")),
    ("这款能用信用卡吗?我帮您查一下平台规则", None),
    ("电子发票会在确认收货后开具", None),
    ("请不要私下转账,所有付款请在平台完成", None),
    ("预计明天送达,具体以物流信息为准", None),
    ("您可以在支付页面选择花呗或信用卡付款", None),
    ("我们一定会尽快为您发货", None),
    // EC-T8 disparaging the brand, promising at will
    ("仓库就那样,发错很正常", Some("EC-T8")),
    ("这个问题我们反馈好几次了不处理", Some("EC-T8")),
    ("他家处理问题慢,您多等等", Some("EC-T8")),
    ("他们骂我们也没办法", Some("EC-T8")),
    ("我保证给您退双倍", Some("EC-T8")),
    ("这牌子的产品不行,您换一家吧", Some("EC-T8")),
    ("如果产品不合适,您可以七天无理由退货", None),
    ("我们承诺正品,支持专柜验货", None),
    ("仓库已经安排发货了", None),
    ("这个问题我已经反馈给仓库,今天下午给您答复", None),
    // EC-V1 vague time, EC-A2 inexact amounts
    ("大概3天到", Some("EC-V1")),
    ("估计明天能发货", Some("EC-V1")),
    ("差不多一周左右退款到账", Some("EC-V1")),
    ("预计3个工作日送达", None),
    ("大概退您50块左右", Some("EC-A2")),
    ("退款金额为59.90元,已原路退回", None),
    // Second batch, written after the patterns and run once before any
    // tuning (see the crate report): phrasings the patterns were not written for.
    ("你对颜色有要求吗?我帮您看看库存", None),
    ("你能不能别催了", Some("EC-T5")),
    ("亲,这个尺码应该偏大一码,建议您拍小一码", None),
    ("您是欠我们钱吗", Some("EC-T1")),
    ("撞衫不可怕,谁丑谁尴尬,这款很百搭", None),
    ("差评你就给吧,无所谓", Some("EC-T5")),
    ("我们客服都是女孩子,您放心沟通", None),
    ("我微信号是kf8888,加一下", Some("EC-T4")),
    ("快递员电话是13612345678,您可以直接联系他", None),
    ("顺丰运单号 SF1234567890123 已揽收", None),
    ("今天16点前付款,当天发货", None),
    ("放心,后天绝对能到", Some("EC-T7")),
    ("发票的话要另外收3%的税", Some("EC-T7")),
    ("退款估计两三天到账", Some("EC-V1")),
    ("退您一百多块", Some("EC-A2")),
    ("这破仓库就那样,我也没办法", Some("EC-T8")),
    ("您说的情况我已经记录,24小时内给您回复", None),
    ("麻烦您提供一下订单号,我帮您查询", None),
    ("您的地址是浙江省杭州市,对吗", None),
    ("我帮您申请了5元无门槛优惠券", None),
    ("这款死飞自行车现在有活动", None),
    ("给你脸了是吧", Some("EC-T1")),
    ("那你想怎么样嘛", Some("EC-T5")),
    ("您可以在我的订单里申请售后", None),
    ("我今年刚入职,业务还不太熟悉,帮您问一下同事", None),
    ("厂家那边一直不处理,我们也很无奈", Some("EC-T8")),
    ("支持信用卡分期,具体以支付页面为准", None),
    ("您打这个电话就行:13512345678,我私人的", Some("EC-T4")),
];

#[test]
fn false_positive_and_false_negative_rates() {
    let h = Harness::<Ecommerce>::new();
    let c = contact().customer_name("王小明").agent("a1").build();
    let (mut innocent, mut violating, mut fp, mut fn_) = (0usize, 0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for (text, expected) in CASES {
        let found: Vec<String> = h.check(&c, text).into_iter().map(|v| v.rule).collect();
        match expected {
            None => {
                innocent += 1;
                if !found.is_empty() {
                    fp += 1;
                    report.push(format!("FALSE POSITIVE {found:?}: {text}"));
                }
            }
            Some(rule) => {
                violating += 1;
                if !found.iter().any(|r| r == rule) {
                    fn_ += 1;
                    report.push(format!("FALSE NEGATIVE (want {rule}, got {found:?}): {text}"));
                }
            }
        }
    }
    let fp_rate = fp as f64 / innocent as f64;
    let fn_rate = fn_ as f64 / violating as f64;
    println!(
        "utterances: {} ({} violating, {} innocent); false positives {fp} = {:.1} %; false negatives {fn_} = {:.1} %",
        CASES.len(),
        violating,
        innocent,
        fp_rate * 100.0,
        fn_rate * 100.0
    );
    for line in &report {
        println!("  {line}");
    }
    assert!(CASES.len() >= 50);
    assert!(fp_rate <= 0.05, "false-positive rate {:.1} % above 5 %", fp_rate * 100.0);
    assert!(fn_rate <= 0.10, "false-negative rate {:.1} % above 10 %", fn_rate * 100.0);
}

#[test]
fn customers_are_never_checked() {
    let h = Harness::<Ecommerce>::new();
    let c = contact().build();
    let found = h.plugin.check_utterance(&c, Speaker::Customer, "你活该,呵呵了");
    assert!(found.is_empty());
}
